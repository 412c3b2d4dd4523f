// The report model: what the engine produces, what `authlab check --json` prints and what the UI shows.
// Plain JSON-safe data. Offsets (`ByteRange`) are byte offsets into the message bytes as evaluated
// (`MessageReport.input.evaluatedBytes`), so the inspector can decorate and reveal source lines.

import type { DnsLogEntry } from './dns.ts';

/** RFC 8601 result words. */
export type AuthResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';

export type VerifyMode = 'strict' | 'lenient';

export interface ByteRange {
  start: number;
  end: number;
}

/** One explained step of a check. */
export interface Step {
  /** What was checked, in a few words. */
  title: string;
  /** pass/fail: the step's outcome; warn: passes but a person should look; info: a fact; skip: not reached. */
  status: 'pass' | 'fail' | 'warn' | 'info' | 'skip';
  /** Why, in plain words. */
  detail: string;
  /** Source lines in the message the step is about. */
  source?: ByteRange[];
  /** `seq` of the DNS log entries the step used. */
  dns?: number[];
}

export interface TagExplained {
  name: string;
  value: string;
  meaning: string;
  problem?: string;
}

// ---------------------------------------------------------------- input and envelope

export interface InputSummary {
  kind: 'message' | 'headers-only';
  /** Index within an mbox (0 for a single message). */
  index: number;
  size: number;
  lineEndings: 'crlf' | 'lf' | 'mixed' | 'none';
  /** True when bare LF line ends were converted to CRLF as the message would travel over SMTP. */
  normalized: boolean;
  /** Size of the bytes actually evaluated (after normalisation). */
  evaluatedBytes: number;
  headerCount: number;
  subject?: string;
  from?: string;
  messageId?: string;
  date?: string;
  /** What cannot be checked with this input, said plainly. */
  limitations: string[];
  /**
   * A message of an mbox: where it lies in the input file (after its postmark line, before ">From "
   * lines are restored). The inspector reads a message of a file too large to hold from here.
   */
  source?: MessageSource;
}

export interface MessageSource {
  /** Byte offset in the input file. */
  offset: number;
  /** Byte length there. */
  length: number;
}

export interface ReceivedHop {
  /** 1 = the topmost (newest) Received header. */
  index: number;
  from?: string;
  by?: string;
  ip?: string;
  helo?: string;
  with?: string;
  envelopeFrom?: string;
  date?: string;
  /** Seconds since the previous (older) hop, when both dates are known. */
  delaySeconds?: number;
  source: ByteRange;
  raw: string;
}

export type EnvelopeOrigin = 'given' | 'received' | 'return-path' | 'none';

export interface Envelope {
  ip?: string;
  helo?: string;
  /** undefined: unknown; '': the null sender <>. */
  mailFrom?: string;
  origin: { ip: EnvelopeOrigin; helo: EnvelopeOrigin; mailFrom: EnvelopeOrigin };
  /** The Received hop (1-based) taken as the receiving boundary, when one was used. */
  hop?: number;
  hops: ReceivedHop[];
}

// ---------------------------------------------------------------- SPF

export type SpfTermStatus = 'matched' | 'not-matched' | 'not-reached' | 'error';

export interface SpfTerm {
  text: string;
  kind: 'mechanism' | 'modifier';
  /** Mechanism or modifier name: all, include, a, mx, ptr, ip4, ip6, exists, redirect, exp, or unknown. */
  name: string;
  qualifier?: '+' | '-' | '~' | '?';
  status: SpfTermStatus;
  /** DNS lookups this term cost against the limit of 10 (RFC 7208 §4.6.4). */
  lookups: number;
  detail?: string;
  /** The record reached through include: or redirect=. */
  child?: SpfNode;
  dns?: number[];
}

export interface SpfNode {
  domain: string;
  record?: string;
  /** What happened to this record: its own result (include: pass means a match). */
  result?: AuthResult;
  error?: string;
  terms: SpfTerm[];
}

export interface SpfCheck {
  identity: 'mailfrom' | 'helo';
  /** The domain checked (MAIL FROM's domain, or the HELO name). */
  domain: string;
  /** The <sender> used in macros: postmaster@helo for the null sender. */
  sender: string;
  result: AuthResult;
  reason: string;
  record?: string;
  tree?: SpfNode;
  lookups: { count: number; limit: number; void: number; voidLimit: number };
  decidingTerm?: string;
  explanation?: string;
  steps: Step[];
}

export interface SpfReport {
  /** null when SPF could not be evaluated at all (no client IP). */
  result: AuthResult | null;
  notEvaluated?: string;
  /** The identity whose result counts: MAIL FROM, or HELO for the null sender. */
  domain?: string;
  ip?: string;
  lookups?: { count: number; limit: number; void: number; voidLimit: number };
  mailfrom?: SpfCheck;
  helo?: SpfCheck;
  /** mailauth's own verdict for the same identity, to cross-check the trace. */
  mailauth?: { result: string; comment?: string };
  lenient?: { result: AuthResult | null; reason: string };
}

// ---------------------------------------------------------------- DKIM

export type SignedHeaderStatus = 'signed' | 'over-signed' | 'listed-absent' | 'present-unsigned';

export interface SignedHeaderAnalysis {
  name: string;
  /** Times the name appears in h=. */
  listed: number;
  /** Times the field is present in the message. */
  present: number;
  status: SignedHeaderStatus;
  /** From, Subject, To, Date, … : leaving these unsigned lets them be replaced. */
  important: boolean;
}

export interface DkimKeyInfo {
  name: string;
  record?: string;
  keyType?: string;
  bits?: number;
  testing: boolean;
  strictIdentity?: boolean;
  hashAlgorithms?: string;
  services?: string;
  revoked?: boolean;
  problem?: string;
  tags?: TagExplained[];
}

export interface DkimSignatureReport {
  /** 1-based, top to bottom. */
  index: number;
  domain?: string;
  selector?: string;
  algorithm?: string;
  /** The signature's b= value. */
  b?: string;
  bh?: string;
  identity?: string;
  canonicalization: { header: string; body: string };
  tags: TagExplained[];
  source: ByteRange;
  headers: {
    list: string[];
    analysis: SignedHeaderAnalysis[];
    unsignedImportant: string[];
  };
  /** The canonicalized header block exactly as hashed (signature header last, b= emptied). */
  canonicalHeaders?: string;
  body?: {
    expectedHash?: string;
    computedHash?: string;
    matches: boolean;
    canonicalLength?: number;
    canonicalLengthTotal?: number;
    /** l= value, and how many canonical body bytes it leaves unsigned. */
    lengthLimit?: number;
    unsignedBytes?: number;
    /** First bytes of the canonicalized body. */
    preview?: string;
  };
  key?: DkimKeyInfo;
  time: { signed?: string; expires?: string; evaluatedAt: string; problem?: string };
  /** Whether the header signature verifies with the key, checked even after a body-hash failure. */
  headerSignature: 'valid' | 'invalid' | 'not-checked';
  result: AuthResult;
  reason: string;
  /** Aligned with the From domain for DMARC (filled by the DMARC step). */
  aligned?: boolean;
  lenient?: { result: AuthResult; reason: string };
  steps: Step[];
}

// ---------------------------------------------------------------- DMARC

export interface AlignmentCheck {
  /** The authenticated domain: SPF's MAIL FROM domain or a DKIM d=. */
  domain: string;
  /** That identifier's own result (only a pass can align). */
  authResult: AuthResult | null;
  mode: 'relaxed' | 'strict';
  aligned: boolean;
  reason: string;
  /** Which DKIM signature (1-based) for a DKIM check. */
  signature?: number;
}

export interface DmarcReport {
  result: AuthResult | null;
  /** Why DMARC was not evaluated (no From, several From fields or domains). */
  notEvaluated?: string;
  fromDomain?: string;
  fromDomains: string[];
  orgDomain?: string;
  /** Each _dmarc name queried in the discovery walk, in order. */
  discovery: { name: string; found: boolean; record?: string; dns?: number }[];
  record?: string;
  recordDomain?: string;
  tags: TagExplained[];
  /** The policy that applies to this message (p, sp or np as the case may be). */
  policy?: 'none' | 'quarantine' | 'reject';
  /** What a receiver following the policy would do with this message. */
  disposition?: 'none' | 'quarantine' | 'reject';
  testing?: boolean;
  alignment: {
    spfMode: 'relaxed' | 'strict';
    dkimMode: 'relaxed' | 'strict';
    spf?: AlignmentCheck;
    dkim: AlignmentCheck[];
  };
  reason: string;
  steps: Step[];
  lenient?: { result: AuthResult | null; reason: string };
}

// ---------------------------------------------------------------- ARC

export interface ArcInstanceReport {
  i: number;
  seal: { result: 'pass' | 'fail' | 'none'; cv?: string; domain?: string; selector?: string; reason?: string; source?: ByteRange };
  messageSignature: { result: 'pass' | 'fail' | 'none'; domain?: string; selector?: string; reason?: string; source?: ByteRange };
  authResults?: { value: string; source?: ByteRange };
}

export interface ArcReport {
  result: 'pass' | 'fail' | 'none';
  reason: string;
  instances: ArcInstanceReport[];
  /** The first instance at which the chain fails. */
  brokenAt?: number;
  steps: Step[];
  lenient?: { result: string; reason: string };
}

// ---------------------------------------------------------------- BIMI

export interface BimiReport {
  result: 'pass' | 'none' | 'fail' | 'skipped' | 'declined' | 'temperror';
  reason: string;
  record?: string;
  selector?: string;
  location?: string;
  authority?: string;
  steps: Step[];
}

// ---------------------------------------------------------------- stored results

export interface StoredMethodResult {
  method: string;
  result: string;
  reason?: string;
  properties: Record<string, string>;
  /** The comments written with this result, e.g. "(sender IP is 192.0.2.1)". */
  comment?: string;
}

export interface StoredResultsHeader {
  field: 'Authentication-Results' | 'ARC-Authentication-Results' | 'Received-SPF';
  authservId?: string;
  /** The authres-version after the authserv-id (RFC 8601 §2.2), when written. */
  version?: number;
  instance?: number;
  results: StoredMethodResult[];
  raw: string;
  source: ByteRange;
  parseError?: string;
}

export interface ResultDifference {
  method: string;
  stored: string;
  recomputed: string;
  /** Which stored header (index into `stored.headers`). */
  header: number;
  note: string;
}

export interface StoredResultsReport {
  headers: StoredResultsHeader[];
  differences: ResultDifference[];
}

// ---------------------------------------------------------------- the whole message

export interface ModeDifference {
  check: string;
  strict: string;
  lenient: string;
  why: string;
}

export interface MessageReport {
  schema: 1;
  index: number;
  evaluatedAt: string;
  mode: VerifyMode;
  input: InputSummary;
  envelope: Envelope;
  spf: SpfReport;
  dkim: DkimSignatureReport[];
  dmarc: DmarcReport;
  arc: ArcReport;
  bimi: BimiReport;
  stored: StoredResultsReport;
  /** A fresh Authentication-Results header for this evaluation. */
  authenticationResults: string;
  summary: { verdict: 'pass' | 'fail' | 'partial' | 'none'; headline: string; lines: string[] };
  /** Where the strict and lenient verdicts differ, with the reason. */
  modeDifferences: ModeDifference[];
  dns: DnsLogEntry[];
}

/** A message that could not be evaluated; keeps its place in an mbox. */
export interface MessageError {
  index: number;
  error: { code: InputErrorCode | 'internal'; message: string };
}

/** Rejects for what the input itself is: evaluating it again with other settings cannot help. */
export const MESSAGE_INPUT_ERROR_CODES = ['empty', 'binary', 'too-large', 'no-header-separator', 'no-headers', 'truncated', 'too-complex'] as const;

/** Why an input was rejected whole (or one message of an mbox could not be read): the input, or the settings it came with. */
export const INPUT_ERROR_CODES = [...MESSAGE_INPUT_ERROR_CODES, 'bad-envelope', 'bad-zone', 'bad-replay'] as const;
export type InputErrorCode = (typeof INPUT_ERROR_CODES)[number];

export type MessageOutcome = ({ ok: true } & MessageReport) | ({ ok: false } & MessageError);

export function isReport(o: MessageOutcome): o is { ok: true } & MessageReport {
  return o.ok;
}
