// DKIM verification explained step by step (RFC 6376, RFC 8301, RFC 8463). mailauth decides the
// verdicts; this module reports every DKIM-Signature field top to bottom, including those
// mailauth leaves out in lenient mode, and fills in what mailauth does not do: the key and the
// header signature after a body-hash failure, and headers-only input, where no body exists.

import type { DKIMResult, DKIMVerifyResult } from 'mailauth';
import type { AuthResult, ByteRange, DkimSignatureReport, Step, TagExplained, VerifyMode } from '../../../shared/report.ts';
import type { DnsAnswer } from '../../../shared/dns.ts';
import type { HeaderBlock, HeaderField } from '../input/headers.ts';
import { normalizeName, type Resolver } from '../dns/resolver.ts';
import { toMailauthResolver } from '../dns/mailauth-adapter.ts';
import { fastDkimVerify } from './fast-verifier.ts';
import { canonicalBodyPreview, canonicalizeSignedHeaders, isCanonicalization, splitCanonicalization, type Canonicalization, previewText } from './canonicalize.ts';
import { explainDkimTag, isDomainName, parseTagList, tagValue } from './tags.ts';
import { memoize } from '../dns/memo-resolver.ts';
import { lookupKey, MIN_RSA_BITS, RECOMMENDED_RSA_BITS, verifyHeaderSignature, type KeyLookup } from './key.ts';
import { analyzeCoverage, indexFields, signedHeaderNames, type FieldIndex } from './signed-headers.ts';

export { explainDkimTag } from './tags.ts';

export interface VerifyDkimOptions {
  /** The message as evaluated (CRLF line ends). */
  message: Buffer;
  headers: HeaderBlock;
  resolver: Resolver;
  now: Date;
  mode: VerifyMode;
  /** The input has no body: verify each header signature against its bh= as given. */
  headersOnly?: boolean;
}

export interface VerifyDkimResult {
  reports: DkimSignatureReport[];
  /** mailauth's own result: DMARC and ARC read headerFrom, fromFields and the hidden .arc/.headers. */
  raw: DKIMVerifyResult;
}

const PREVIEW_BYTES = 2048;

// What mailauth reports, without a key lookup, for a signature it will not process (RFC 6376 §6.1.1)
const INVALID_COMMENTS = new Set([
  'unknown algorithm',
  'unknown canonicalization',
  'signature missing required tag',
  'signature syntax error',
  'incompatible version',
  'unsupported query method',
  'domain mismatch',
  'invalid expiration',
  'From field not signed',
]);

// mailauth's comments for a key it could not use
const KEY_COMMENTS = new Set(['no key', 'unknown key version', 'unknown key type', 'invalid public key', 'inappropriate hash algorithm', 'key not for email']);

const INVALID_EXPLAINED: Record<string, string> = {
  'unknown algorithm': 'the a= algorithm is not one a verifier can use (rsa-sha256, ed25519-sha256; rsa-sha1 only in lenient mode)',
  'unknown canonicalization': 'c= names a canonicalization that does not exist (simple and relaxed are defined)',
  'signature missing required tag': 'a required tag (v, a, b, bh, d, h, s) is missing',
  'signature syntax error': 'the tag list is not valid RFC 6376 syntax',
  'incompatible version': 'v= is not 1; RFC 6376 §6.1.1 makes any other version a permanent failure',
  'unsupported query method': 'q= does not include dns/txt, the only key query method',
  'domain mismatch': 'the i= identity is not in the d= domain (or the key\'s t=s forbids its subdomain)',
  'invalid expiration': 'x= is not after t=',
  'From field not signed': 'h= does not include From; RFC 6376 §6.1.1 says to ignore such a signature',
};

// mailauth's comments after the key was fetched, in plain words
const OTHER_EXPLAINED: Record<string, string> = {
  'inappropriate key algorithm': 'the key type does not match the a= algorithm (RFC 6376 §6.1.2)',
  'domain mismatch': 'the key has t=s, which forbids an i= identity in a subdomain of d=',
  'inappropriate hash algorithm': 'the key\'s h= does not allow the signature\'s hash',
  'key not for email': 'the key\'s s= does not include email',
};

/** One DNS answer per name and type for the whole call: mailauth's key lookup and ours share it. */
function minRsaBits(mode: VerifyMode): number {
  return mode === 'strict' ? MIN_RSA_BITS : 512;
}


const iso = (seconds: number | undefined) => (seconds === undefined || !Number.isFinite(seconds) ? undefined : new Date(seconds * 1000).toISOString());
const num = (v: string | undefined) => (v !== undefined && /^[0-9]{1,12}$/.test(v) ? Number(v) : undefined);
const range = (f: HeaderField): ByteRange => ({ start: f.start, end: f.end });

/** i= is dkim-quoted-printable (RFC 6376 §2.11): =XX is a byte, FWS is not part of the value. */
function decodeDkimQuotedPrintable(value: string): string {
  const bytes = Buffer.from(value.replace(/[ \t\r\n]+/g, ''), 'utf8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes[i] === 0x3d && i + 2 < bytes.length ? bytes.subarray(i + 1, i + 3).toString('latin1') : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(bytes[i]);
  }
  return Buffer.from(out).toString('utf8');
}

function sameOrSubdomain(child: string, parent: string): boolean {
  const c = child.toLowerCase().replace(/\.$/, '');
  const p = parent.toLowerCase().replace(/\.$/, '');
  return c === p || c.endsWith(`.${p}`);
}

export async function verifyDkim(opts: VerifyDkimOptions): Promise<VerifyDkimResult> {
  const strict = opts.mode === 'strict';
  // strict: RFC 8301 §3.2 (1024 bits at least); lenient: RFC 6376 §3.3.3 (verifiers take 512 to 2048)
  const minBits = minRsaBits(opts.mode);
  const resolver = memoize(opts.resolver);
  const raw = (await fastDkimVerify(opts.message, {
    resolver: toMailauthResolver(resolver) as never,
    curTime: opts.now,
    strict,
    minBitLength: minBits,
  })) as DKIMVerifyResult;

  // the "message not signed" placeholder has no id
  const pending = raw.results.filter((r) => r.id !== undefined);
  const headersOnly = !!opts.headersOnly;
  const body = headersOnly || opts.headers.bodyOffset === null ? Buffer.alloc(0) : opts.message.subarray(opts.headers.bodyOffset);
  const previews = new Map<Canonicalization, { text: string; truncated: boolean }>();
  const preview = (c: Canonicalization) => {
    let p = previews.get(c);
    if (!p) {
      // the hashers kept the canonical body's start while hashing; canonicalize a window only if not
      const kept = (raw as { bodyPreviews?: Map<string, { head: Buffer; total: number }> }).bodyPreviews?.get(c);
      p = kept && kept.total > 0 ? previewText(kept.head, kept.total, PREVIEW_BYTES) : canonicalBodyPreview(body, c, PREVIEW_BYTES);
      previews.set(c, p);
    }
    return p;
  };

  const reports: DkimSignatureReport[] = [];
  const signatureFields = opts.headers.fields.filter((f) => f.key === 'dkim-signature');
  // every signature looks its h= names up in the same fields: indexed once for the message
  let fieldIndex: FieldIndex | undefined;
  for (const [n, field] of signatureFields.entries()) {
    const text = field.raw.toString('utf8');
    const list = parseTagList(text.slice(text.indexOf(':') + 1));
    const b = tagValue(list, 'b', strict);
    const c = tagValue(list, 'c', strict);
    // mailauth's results are in header order; match by the b= value (and c=, as a copy of a
    // signature with another c= has the same b=). Lenient mailauth leaves out what it skips.
    const at = !strict && skippedByLenientMailauth(list) ? -1 : pending.findIndex((r) => (r.signature ?? undefined) === b && (r.format ?? undefined) === c);
    const mr = at >= 0 ? pending.splice(at, 1)[0] : undefined;
    reports.push(
      await reportSignature({ index: n + 1, field, list, mr, fields: opts.headers.fields, fieldIndex: (fieldIndex ??= indexFields(opts.headers.fields)), resolver, now: opts.now, strict, headersOnly, body, preview }),
    );
  }
  return { reports, raw };
}

/** What mailauth's lenient mode does not process at all (and so does not report). */
function skippedByLenientMailauth(list: ReturnType<typeof parseTagList>): boolean {
  const a = tagValue(list, 'a', false)?.toLowerCase();
  const canon = splitCanonicalization(tagValue(list, 'c', false));
  return (
    !a ||
    !['rsa-sha256', 'ed25519-sha256', 'rsa-sha1'].includes(a) ||
    !isCanonicalization(canon.header) ||
    !isCanonicalization(canon.body) ||
    !tagValue(list, 'd', false) ||
    !tagValue(list, 's', false)
  );
}

interface SignatureContext {
  index: number;
  field: HeaderField;
  list: ReturnType<typeof parseTagList>;
  mr: DKIMResult | undefined;
  fields: HeaderField[];
  fieldIndex: FieldIndex;
  resolver: Resolver;
  now: Date;
  strict: boolean;
  headersOnly: boolean;
  body: Buffer;
  preview: (c: Canonicalization) => { text: string; truncated: boolean };
}

async function reportSignature(ctx: SignatureContext): Promise<DkimSignatureReport> {
  const { field, list, mr, strict, now } = ctx;
  const tag = (name: string) => tagValue(list, name, strict);
  const a = tag('a')?.toLowerCase();
  const d = tag('d');
  const s = tag('s');
  const bh = tag('bh');
  const b = tag('b');
  const v = tag('v');
  const q = tag('q');
  const h = tag('h');
  const rawIdentity = tag('i');
  const identity = rawIdentity === undefined ? undefined : decodeDkimQuotedPrintable(rawIdentity);
  const l = tag('l');
  const t = num(tag('t'));
  const x = num(tag('x'));
  const canon = splitCanonicalization(tag('c'));
  const names = signedHeaderNames(h);
  const nowSec = now.getTime() / 1000;
  const steps: Step[] = [];
  const step = (title: string, status: Step['status'], detail: string, source?: ByteRange[]) => steps.push(source ? { title, status, detail, source } : { title, status, detail });
  const sigRange = range(field);

  // ---- tags, each explained, with the problems that need context
  const tags: TagExplained[] = list.tags.map((tg) => explainDkimTag(strict ? tg.name : tg.name.toLowerCase(), tg.value));
  const addProblem = (name: string, problem: string) => {
    const tg = tags.findLast((e) => e.name === name);
    if (tg) tg.problem = tg.problem ? `${tg.problem}; ${problem}` : problem;
  };
  if (identity !== undefined && d) {
    const idDomain = identity.slice(identity.lastIndexOf('@') + 1);
    if (identity.includes('@') && !sameOrSubdomain(idDomain, d)) addProblem('i', `the identity's domain ${idDomain} is not ${d} or a subdomain of it (RFC 6376 §6.1.1)`);
  }
  if (t !== undefined && x !== undefined && x <= t) addProblem('x', 'not after t= (RFC 6376 §3.5: x= must be greater than t=)');
  if (x !== undefined && x < nowSec) addProblem('x', `the signature expired at ${iso(x)}`);
  if (t !== undefined && t > nowSec + 300) addProblem('t', `in the future (${iso(t)}, evaluated at ${now.toISOString()})`);

  // ---- is the signature usable at all (RFC 6376 §6.1.1)
  let invalid: string | undefined;
  if (!mr) {
    // lenient mailauth leaves out what it cannot process; say what that was
    if (!a || !['rsa-sha256', 'ed25519-sha256', 'rsa-sha1'].includes(a)) invalid = 'unknown algorithm';
    else if (!isCanonicalization(canon.header) || !isCanonicalization(canon.body)) invalid = 'unknown canonicalization';
    else invalid = 'signature missing required tag';
  } else if (mr.status.result === 'neutral' && !mr.rr && !mr.publicKey && INVALID_COMMENTS.has(mr.status.comment ?? '')) {
    invalid = mr.status.comment;
  } else if (!strict) {
    // Rules even the lenient mode keeps: what deployed verifiers reject and mailauth's lenient
    // mode only warns about. Draft signatures (no v=, v=0.5) stay accepted.
    if (v !== undefined && v !== '1' && v !== '0.5') invalid = 'incompatible version';
    else if (q !== undefined && !q.toLowerCase().split(':').some((m) => ['dns/txt', 'dns'].includes(m.trim()))) invalid = 'unsupported query method';
    else if (d !== undefined && !isDomainName(d)) invalid = 'signature syntax error';
    else if (identity !== undefined && d && identity.includes('@') && !sameOrSubdomain(identity.slice(identity.lastIndexOf('@') + 1), d)) invalid = 'domain mismatch';
  }

  // ---- steps 1-2: parse and check the tags
  step(
    'Parse signature',
    list.syntaxErrors.length ? (strict ? 'fail' : 'warn') : 'pass',
    list.syntaxErrors.length ? `Tag list problems: ${list.syntaxErrors.join('; ')}.` : `${list.tags.length} tags read.`,
    [sigRange],
  );
  const missing = ['v', 'a', 'b', 'bh', 'd', 'h', 's'].filter((name) => tag(name) === undefined);
  const tagProblems = [...(missing.length ? [`missing ${missing.map((m) => `${m}=`).join(', ')}`] : []), ...tags.filter((e) => e.problem).map((e) => `${e.name}=: ${e.problem}`)];
  const warnings = mr?.status.warnings?.length ? ` Accepted in lenient mode only: ${mr.status.warnings.join(', ')}.` : '';
  if (invalid) step('Check tags', 'fail', `${invalid}: ${INVALID_EXPLAINED[invalid] ?? invalid}.${tagProblems.length ? ` Problems: ${tagProblems.join('; ')}.` : ''}`, [sigRange]);
  else step('Check tags', tagProblems.length || warnings ? 'warn' : 'pass', tagProblems.length ? `Problems: ${tagProblems.join('; ')}.${warnings}` : `All tags valid.${warnings}`, [sigRange]);

  // ---- step 3: h= coverage
  const coverage = analyzeCoverage(ctx.fields, names, ctx.fieldIndex);
  const signedRanges = coverage.signed.map(range);
  {
    const parts = [`${coverage.signed.length} header field${coverage.signed.length === 1 ? '' : 's'} signed (${names.length} listed in h=).`];
    const over = coverage.analysis.filter((e) => e.status === 'over-signed' || e.status === 'listed-absent').map((e) => e.name);
    if (over.length) parts.push(`Listed more often than present, so no copy can be added without breaking the signature: ${over.join(', ')}.`);
    const unsignedFields = coverage.analysis.filter((e) => e.status === 'present-unsigned' && e.important).map((e) => e.name);
    if (unsignedFields.length) parts.push(`Present but not signed (they can be changed or replaced): ${unsignedFields.join(', ')}.`);
    for (const added of coverage.addedAbove) parts.push(`An unsigned ${added.name} sits above the signed one: the signature does not see it, but a mail reader may show it.`);
    const fromSigned = names.includes('from');
    step(
      'Signed header fields (h=)',
      !fromSigned ? 'fail' : coverage.addedAbove.length || unsignedFields.length ? 'warn' : 'pass',
      (fromSigned ? '' : 'From is not signed. ') + parts.join(' '),
      [...signedRanges, ...coverage.addedAbove.map((e) => range(e.field))],
    );
  }

  // ---- step 4: body hash
  const lengthLimit = l !== undefined && /^[0-9]+$/.test(l) ? Number(l) : undefined;
  const computedHash = mr?.bodyHash;
  const bodyMatches = !!computedHash && computedHash === bh;
  const canonicalLengthTotal = mr?.canonBodyLengthTotal;
  const unsignedBytes = lengthLimit !== undefined && canonicalLengthTotal !== undefined ? Math.max(0, canonicalLengthTotal - lengthLimit) : undefined;
  const bodyReport: NonNullable<DkimSignatureReport['body']> = { matches: !ctx.headersOnly && bodyMatches };
  if (bh !== undefined) bodyReport.expectedHash = bh;
  if (computedHash && !ctx.headersOnly) bodyReport.computedHash = computedHash;
  if (mr?.canonBodyLength !== undefined && !ctx.headersOnly) bodyReport.canonicalLength = mr.canonBodyLength;
  if (canonicalLengthTotal !== undefined && !ctx.headersOnly) bodyReport.canonicalLengthTotal = canonicalLengthTotal;
  if (lengthLimit !== undefined) bodyReport.lengthLimit = lengthLimit;
  if (unsignedBytes !== undefined && !ctx.headersOnly) bodyReport.unsignedBytes = unsignedBytes;
  if (!ctx.headersOnly && isCanonicalization(canon.body)) bodyReport.preview = ctx.preview(canon.body).text;
  if (ctx.headersOnly) step('Body hash', 'skip', 'Headers-only input: there is no body to hash, so bh= is taken as given and the body is not checked.');
  else if (invalid || !computedHash) step('Body hash', 'skip', 'Not computed: the signature cannot be processed.');
  else if (bodyMatches) {
    const lNote = lengthLimit !== undefined ? ` l=${lengthLimit}: ${unsignedBytes ? `${unsignedBytes} canonical body bytes after the limit are not signed, so content could have been appended` : 'the whole body is within the limit'}.` : '';
    step('Body hash', unsignedBytes ? 'warn' : 'pass', `The ${canon.body} canonical body (${mr?.canonBodyLength ?? '?'} bytes hashed) matches bh=.${lNote}`);
  } else step('Body hash', 'fail', `The body hash does not match: bh= says ${bh}, the ${canon.body} canonical body hashes to ${computedHash}. The body changed after signing.`);

  // ---- steps 5-6: the key
  const hashAlgo = a?.split('-').pop();
  let key: KeyLookup | undefined;
  if (!invalid && d && s) key = await lookupKey(ctx.resolver, s, d, { strict, hashAlgo });
  if (!key) step('Key lookup', 'skip', 'Not looked up: the signature cannot be processed.');
  else if (key.failure) step('Key lookup', 'fail', `${key.info.name}: ${key.failure.message}.${key.failure.kind === 'dns' ? ' A temporary failure: try again later.' : ''}`);
  else step('Key lookup', 'pass', `${key.info.name}: ${key.info.record}`);

  const sigAlgo = a?.split('-')[0];
  let strictIdentityViolated = false;
  if (key?.publicKey) {
    const bits = key.info.bits ?? 0;
    const notes: string[] = [];
    let status: Step['status'] = 'pass';
    if (key.info.keyType === 'rsa' && bits < minRsaBits(strict ? 'strict' : 'lenient')) {
      status = 'fail';
      notes.push(`RSA key of ${bits} bits: ${strict ? `RFC 8301 §3.2 forbids accepting keys under ${MIN_RSA_BITS} bits` : 'under the 512 bits RFC 6376 §3.3.3 allows'}.`);
    } else if (key.info.keyType === 'rsa' && bits < MIN_RSA_BITS) {
      status = 'warn';
      notes.push(`RSA key of ${bits} bits: accepted in lenient mode (RFC 6376), but RFC 8301 §3.2 forbids keys under ${MIN_RSA_BITS} bits today.`);
    } else if (key.info.keyType === 'rsa' && bits < RECOMMENDED_RSA_BITS) {
      status = 'warn';
      notes.push(`RSA key of ${bits} bits: accepted, but RFC 8301 recommends ${RECOMMENDED_RSA_BITS} bits.`);
    } else notes.push(key.info.keyType === 'ed25519' ? 'Ed25519 key (256 bits).' : `RSA key of ${bits} bits.`);
    if (sigAlgo && key.info.keyType && sigAlgo !== key.info.keyType) {
      status = 'fail';
      notes.push(`The signature says ${sigAlgo} but the key is ${key.info.keyType}.`);
    }
    if (key.info.testing) {
      if (status === 'pass') status = 'warn';
      notes.push('t=y: the domain is testing DKIM; receivers should treat the result like no signature.');
    }
    if (key.info.strictIdentity && identity && d && identity.includes('@') && identity.slice(identity.lastIndexOf('@') + 1).toLowerCase() !== d.toLowerCase()) {
      // RFC 6376 §3.6.1 says MUST for t=s, so this is invalid in both modes
      status = 'fail';
      strictIdentityViolated = true;
      notes.push('t=s: the key forbids an i= in a subdomain of d=, and this one is.');
    }
    if (key.info.hashAlgorithms) notes.push(`h=${key.info.hashAlgorithms}: allowed hashes.`);
    if (key.info.services) notes.push(`s=${key.info.services}: services.`);
    step('Key checks', status, notes.join(' '));
  } else step('Key checks', 'skip', key?.failure ? `No usable key: ${key.failure.message}.` : 'No key.');

  // ---- step 7: the header signature, checked even after a body-hash failure
  let canonicalHeaders: Buffer | undefined;
  if (mr?.signingHeaders?.canonicalizedHeader) canonicalHeaders = Buffer.from(mr.signingHeaders.canonicalizedHeader, 'base64');
  else if (isCanonicalization(canon.header)) canonicalHeaders = canonicalizeSignedHeaders(coverage.signed.map((f) => f.raw), field.raw, canon.header, strict);
  let headerSignature: DkimSignatureReport['headerSignature'] = 'not-checked';
  if (mr?.status.result === 'pass' && key?.publicKey) {
    // mailauth verified b= over these same header bytes with this key: no need to do it twice
    headerSignature = 'valid';
  } else if (key?.publicKey && canonicalHeaders && b && a && ['rsa-sha256', 'rsa-sha1', 'ed25519-sha256'].includes(a)) {
    headerSignature = verifyHeaderSignature(a, canonicalHeaders, key.publicKey, Buffer.from(b, 'base64')) ? 'valid' : 'invalid';
  }
  if (headerSignature === 'valid') step('Header signature', 'pass', `b= verifies with the key over the ${canon.header} canonical header data (${coverage.signed.length} fields and this signature field).`, [...signedRanges, sigRange]);
  else if (headerSignature === 'invalid') step('Header signature', 'fail', 'b= does not verify with the key: a signed header field changed after signing, or the key is not the one that signed.', [...signedRanges, sigRange]);
  else step('Header signature', 'skip', key?.failure ? `Not checked: ${key.failure.message}.` : 'Not checked: the signature cannot be processed.');

  // ---- step 8: time
  const time: DkimSignatureReport['time'] = { evaluatedAt: now.toISOString() };
  if (iso(t)) time.signed = iso(t);
  if (iso(x)) time.expires = iso(x);
  const expired = x !== undefined && x < nowSec;
  if (expired) {
    time.problem = `signature expired at ${iso(x)}`;
    step('Signature time', 'fail', `x= ${iso(x)} is before the evaluation time ${now.toISOString()}: the signature expired.`, [sigRange]);
  } else if (t !== undefined && x !== undefined && x <= t) {
    time.problem = 'x= is not after t=';
    step('Signature time', 'fail', `x= (${iso(x)}) is not after t= (${iso(t)}).`, [sigRange]);
  } else if (t !== undefined && t > nowSec + 300) {
    time.problem = `signed in the future (${iso(t)})`;
    step('Signature time', 'warn', `t= ${iso(t)} is after the evaluation time ${now.toISOString()}: the signer's clock is off, or the evaluation time is. RFC 6376 lets verifiers ignore such a signature; it is not failed here.`, [sigRange]);
  } else if (t === undefined && x === undefined) step('Signature time', 'info', 'No t= or x=: the signature does not say when it was made or when it expires.');
  else step('Signature time', 'pass', `${t !== undefined ? `Signed ${iso(t)}` : 'No signing time'}${x !== undefined ? `, expires ${iso(x)}` : ', no expiry'}.`);

  // ---- step 9: the verdict
  const keyName = key?.info.name ?? (d && s ? `${s}._domainkey.${d}` : 'the key');
  const keyVerdict = (k: KeyLookup): { result: AuthResult; reason: string } =>
    k.failure!.kind === 'dns'
      ? { result: 'temperror', reason: `key lookup failed for ${keyName} (${k.failure!.message}); try again later` }
      : { result: 'neutral', reason: `${k.failure!.kind === 'no-key' ? 'no key' : 'invalid public key'}: ${k.failure!.message} at ${keyName}` };
  const bits = key?.info.bits;
  const weakRsa = key?.info.keyType === 'rsa' && bits !== undefined && bits < minRsaBits(strict ? 'strict' : 'lenient');
  let verdict: { result: AuthResult; reason: string };
  if (invalid) {
    verdict = { result: 'neutral', reason: `${invalid}: ${INVALID_EXPLAINED[invalid] ?? invalid}` };
  } else if (strictIdentityViolated) {
    verdict = { result: 'neutral', reason: `the key has t=s, which forbids i= ${identity} in a subdomain of d=${d} (RFC 6376 §3.6.1)` };
  } else if (ctx.headersOnly) {
    if (key?.failure) verdict = keyVerdict(key);
    else if (headerSignature === 'invalid') verdict = { result: 'fail', reason: 'headers-only: the header signature does not verify (a signed header field changed); the body was not checked' };
    else if (expired) verdict = { result: 'neutral', reason: `signature expired at ${iso(x)}` };
    else if (weakRsa) verdict = { result: 'policy', reason: `weak key: RSA key of ${bits} bits, RFC 8301 requires at least ${MIN_RSA_BITS}` };
    else if (strict && hashAlgo === 'sha1') verdict = { result: 'policy', reason: 'weak algorithm: rsa-sha1 must not be used for verifying (RFC 8301 §3.1)' };
    else verdict = { result: 'neutral', reason: 'headers-only: the header signature is valid for the bh= given; the body was not checked' };
  } else if (!strict && key?.failure && !(mr!.status.comment ?? '').startsWith('DNS failure') && !KEY_COMMENTS.has(mr!.status.comment ?? '')) {
    // the lenient mode read a key record that we do not accept (a syntax error): the key wins
    verdict = keyVerdict(key);
  } else {
    const result = mr!.status.result as AuthResult;
    const comment = mr!.status.comment ?? '';
    if (comment === 'body hash did not verify') {
      // RFC 6376 §6.1.2 fetches the key before §6.1.3 checks the hash, so a key problem comes first
      if (key?.failure) verdict = keyVerdict(key);
      else if (headerSignature === 'valid') verdict = { result: 'fail', reason: 'body hash did not verify: headers intact, body changed (the header signature is valid)' };
      else if (headerSignature === 'invalid') verdict = { result: 'fail', reason: 'body hash did not verify, and the header signature does not verify either: headers changed too' };
      else verdict = { result: 'fail', reason: 'body hash did not verify (the header signature could not be checked)' };
    } else if (comment === 'expired') {
      // RFC 6376 §6.1.1: an expired signature is ignored (PERMFAIL "signature expired"), which
      // RFC 8601 reports as neutral: it was not processed, rather than failed verification
      verdict = { result: 'neutral', reason: `signature expired at ${iso(x)}${headerSignature === 'valid' ? ' (it is otherwise valid)' : ''}` };
    } else if (result === 'policy' && mr!.status.policy?.['dkim-rules'] === 'weak-key') {
      verdict =
        headerSignature === 'invalid'
          ? { result: 'fail', reason: `bad signature: the header signature does not verify (and the RSA key of ${bits} bits is under the ${MIN_RSA_BITS}-bit minimum of RFC 8301)` }
          : { result: 'policy', reason: `weak key: RSA key of ${bits ?? '?'} bits, RFC 8301 §3.2 requires at least ${MIN_RSA_BITS}${headerSignature === 'valid' ? ' (the signature itself verifies)' : ''}` };
    } else if (result === 'policy') {
      verdict = { result, reason: 'weak algorithm: rsa-sha1 must not be used for verifying (RFC 8301 §3.1)' };
    } else if (result === 'pass') {
      const extras: string[] = [];
      if (unsignedBytes) extras.push(`${unsignedBytes} body bytes after l=${lengthLimit} are not signed`);
      if (key?.info.testing) extras.push('the key is in testing mode (t=y)');
      verdict = { result, reason: `signature verified: signed header fields and body are as signed${extras.length ? `; but ${extras.join('; ')}` : ''}` };
    } else if (result === 'fail') {
      verdict = { result, reason: `${comment || 'bad signature'}: the body hash matches, so a signed header field changed after signing (or the key is not the signing key)` };
    } else if (result === 'temperror') {
      verdict = { result, reason: `${comment}: the key lookup for ${keyName} failed; try again later` };
    } else {
      const why = key?.failure?.message ?? OTHER_EXPLAINED[comment] ?? INVALID_EXPLAINED[comment];
      verdict = { result, reason: comment ? `${comment}${why ? `: ${why}` : ''}` : result };
    }
  }
  step('Result', verdict.result === 'pass' ? 'pass' : verdict.result === 'neutral' && ctx.headersOnly && !invalid ? 'warn' : 'fail', `dkim=${verdict.result}: ${verdict.reason}.`);

  const report: DkimSignatureReport = {
    index: ctx.index,
    canonicalization: canon,
    tags,
    source: sigRange,
    headers: { list: names, analysis: coverage.analysis, unsignedImportant: coverage.unsignedImportant },
    body: bodyReport,
    time,
    headerSignature,
    result: verdict.result,
    reason: verdict.reason,
    steps,
  };
  if (d !== undefined) report.domain = d;
  if (s !== undefined) report.selector = s;
  if (a !== undefined) report.algorithm = a;
  if (b !== undefined) report.b = b;
  if (bh !== undefined) report.bh = bh;
  if (identity !== undefined) report.identity = identity;
  else if (d) report.identity = `@${d}`;
  if (canonicalHeaders) report.canonicalHeaders = canonicalHeaders.toString('utf8');
  if (key) report.key = key.info;
  return report;
}
