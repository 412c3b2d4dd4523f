// DKIM tag-lists (RFC 6376 §3.2) read for display, and every tag explained in plain words.
// The verdicts come from mailauth; this reading only says what each tag means and what is wrong
// with it, so it keeps tags exactly as written (names case-preserved, duplicates kept).

import type { TagExplained } from '../../../shared/report.ts';

export interface RawTag {
  name: string;
  /** FWS collapsed to one space and trimmed; b=, bh=, h= and p= with all whitespace removed. */
  value: string;
}

export interface TagList {
  tags: RawTag[];
  syntaxErrors: string[];
}

const NO_WHITESPACE = new Set(['b', 'bh', 'p', 'h']);
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export function parseTagList(text: string): TagList {
  const tags: RawTag[] = [];
  const syntaxErrors: string[] = [];
  const seen = new Set<string>();
  const segments = text.split(';');
  segments.forEach((segment, i) => {
    const trimmed = segment.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (!trimmed) {
      if (i < segments.length - 1 || segments.length === 1) syntaxErrors.push('empty tag-spec (two semicolons in a row)');
      return;
    }
    const eq = trimmed.indexOf('=');
    if (eq < 0) {
      syntaxErrors.push(`"${trimmed.replace(/\s+/g, ' ')}" has no "="`);
      return;
    }
    const name = trimmed.slice(0, eq).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    let value = trimmed.slice(eq + 1).replace(/\s+/g, ' ').trim();
    if (NO_WHITESPACE.has(name.toLowerCase())) value = value.replace(/\s+/g, '');
    if (!TAG_NAME.test(name)) syntaxErrors.push(`"${name}" is not a valid tag name`);
    if (seen.has(name)) syntaxErrors.push(`tag ${name}= appears twice (RFC 6376 §3.2 makes the whole signature invalid)`);
    seen.add(name);
    tags.push({ name, value });
  });
  return { tags, syntaxErrors };
}

/** Last value of a tag; names match exactly in strict mode (§3.2), case-insensitively otherwise. */
export function tagValue(list: TagList, name: string, strict: boolean): string | undefined {
  for (let i = list.tags.length - 1; i >= 0; i--) {
    const t = list.tags[i];
    if (t.name === name || (!strict && t.name.toLowerCase() === name)) return t.value;
  }
  return undefined;
}

// RFC 6376 §3.5 grammar, as mailauth's syntax module has it
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
export const DOMAIN_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})+$`);
export const SELECTOR = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const TIMESTAMP = /^[0-9]{1,12}$/;
const BODY_LENGTH = /^[0-9]{1,76}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A U-label domain is compared in its A-label form (RFC 8616); a non-IDN name passes through. */
export function toAsciiDomain(domain: string): string {
  if (/^[\x00-\x7f]*$/.test(domain)) return domain;
  const ascii = new URL(`http://${domain}`).hostname;
  return ascii || domain;
}

export function isDomainName(d: string): boolean {
  try {
    return DOMAIN_NAME.test(toAsciiDomain(d));
  } catch {
    return false;
  }
}

function isSelector(s: string): boolean {
  try {
    return SELECTOR.test(toAsciiDomain(s));
  } catch {
    return false;
  }
}

const fmtTime = (v: string) => {
  const n = Number(v);
  return Number.isFinite(n) ? new Date(n * 1000).toISOString() : v;
};

/**
 * What one DKIM-Signature tag means, and the problem with its value when the value alone shows
 * one. Problems that need context (i= against d=, x= against t= and the clock) are added by the
 * verifier.
 */
// A sender's signatures repeat most tags (v a c d s q h i): explain each value once. The values
// that change per message (b, bh, t, x, l, z) are explained fresh. Bounded.
const explained = new Map<string, TagExplained>();
const PER_MESSAGE_TAGS = new Set(['b', 'bh', 't', 'x', 'l', 'z']);

export function explainDkimTag(name: string, value: string): TagExplained {
  if (PER_MESSAGE_TAGS.has(name) || value.length > 1024) return explainTag(name, value);
  const key = `${name}\0${value}`;
  let e = explained.get(key);
  if (!e) {
    e = explainTag(name, value);
    if (explained.size >= 1024) explained.delete(explained.keys().next().value!);
    explained.set(key, e);
  }
  return { ...e };
}

function explainTag(name: string, value: string): TagExplained {
  const v = value;
  const lower = v.toLowerCase();
  let meaning: string;
  let problem: string | undefined;
  switch (name) {
    case 'v':
      meaning = 'Version of the DKIM-Signature format; must be 1.';
      if (v !== '1') problem = `v=${v}: RFC 6376 only defines version 1; verifiers must treat any other version as an error (§6.1.1)`;
      break;
    case 'a':
      meaning = 'Signing algorithm: the key type and the hash (rsa-sha256, ed25519-sha256).';
      if (lower === 'rsa-sha1') problem = 'rsa-sha1 must not be used for signing or verifying any more (RFC 8301 §3.1)';
      else if (lower !== 'rsa-sha256' && lower !== 'ed25519-sha256') problem = `unknown algorithm "${v}"`;
      break;
    case 'b':
      meaning = 'The signature itself (base64), over the signed header fields and this field with b= empty.';
      if (!v) problem = 'empty signature';
      else if (!BASE64.test(v)) problem = 'not valid base64';
      break;
    case 'bh':
      meaning = 'Hash of the canonicalized body (base64), as the signer computed it.';
      if (!v) problem = 'empty body hash';
      else if (!BASE64.test(v)) problem = 'not valid base64';
      else {
        const len = Buffer.from(v, 'base64').length;
        if (len !== 32 && len !== 20) problem = `${len} bytes: neither a SHA-256 (32) nor a SHA-1 (20) hash`;
      }
      break;
    case 'c': {
      meaning = 'Canonicalization for header/body: how much whitespace and case change the signature tolerates (simple: none; relaxed: whitespace and header-name case).';
      const [h, b] = lower.split('/');
      const ok = (x: string | undefined) => x === undefined || x === 'simple' || x === 'relaxed';
      if (!h || !ok(h) || !ok(b) || lower.split('/').length > 2) problem = `unknown canonicalization "${v}"`;
      else if (b === undefined) meaning += ' No body part given: the body uses simple.';
      break;
    }
    case 'd':
      meaning = 'Signing domain: the domain that takes responsibility for the message (DMARC aligns it with From).';
      if (!v) problem = 'empty domain';
      else if (!isDomainName(v)) problem = `"${v}" is not a valid domain name`;
      break;
    case 'h':
      meaning = 'Header fields covered by the signature, in the order they were hashed (bottom-most instance first).';
      if (!v.split(':').some((n) => n.trim())) problem = 'the list is empty';
      else if (!v.split(':').some((n) => n.trim().toLowerCase() === 'from')) problem = 'From is not signed: RFC 6376 §5.4 requires it, verifiers ignore such a signature';
      break;
    case 'i':
      meaning = 'Agent or user identifier (AUID) on whose behalf the domain signed; its domain must be d= or a subdomain of it.';
      if (!v.includes('@')) problem = 'no "@": not an identity';
      break;
    case 'l':
      meaning = 'Body length limit: only this many bytes of the canonicalized body are signed; anything after them can be changed or appended.';
      if (!BODY_LENGTH.test(v)) problem = `"${v}" is not a number`;
      break;
    case 'q':
      meaning = 'Query method for the public key; dns/txt is the only one defined.';
      if (!lower.split(':').some((m) => m.trim() === 'dns/txt')) problem = `no supported query method in "${v}" (only dns/txt is defined)`;
      break;
    case 's':
      meaning = 'Selector: which of the domain\'s keys; the key is published at <s>._domainkey.<d>.';
      if (!v) problem = 'empty selector';
      else if (!isSelector(v)) problem = `"${v}" is not a valid selector`;
      break;
    case 't':
      meaning = `Signature timestamp: when it was signed${TIMESTAMP.test(v) ? ` (${fmtTime(v)})` : ''}.`;
      if (!TIMESTAMP.test(v)) problem = `"${v}" is not a timestamp (1 to 12 digits)`;
      break;
    case 'x':
      meaning = `Signature expiration: verifiers may treat it as invalid after this time${TIMESTAMP.test(v) ? ` (${fmtTime(v)})` : ''}.`;
      if (!TIMESTAMP.test(v)) problem = `"${v}" is not a timestamp (1 to 12 digits)`;
      break;
    case 'z':
      meaning = 'Copies of the header fields as signed (diagnostic only, not used for verification).';
      break;
    default:
      meaning = /^[a-z]/.test(name) && name === name.toLowerCase() ? 'Unknown tag: ignored (RFC 6376 §3.2).' : 'Unknown tag (tag names are case-sensitive): ignored.';
  }
  return problem === undefined ? { name, value, meaning } : { name, value, meaning, problem };
}

/** What one tag of a DKIM key record (RFC 6376 §3.6.1, RFC 8463) means. */
export function explainKeyTag(name: string, value: string): TagExplained {
  const lower = value.toLowerCase();
  let meaning: string;
  let problem: string | undefined;
  switch (name) {
    case 'v':
      meaning = 'Version of the key record; DKIM1, and it must come first.';
      if (value !== 'DKIM1') problem = `"${value}" is not DKIM1`;
      break;
    case 'k':
      meaning = 'Key type: rsa (the default) or ed25519 (RFC 8463).';
      if (lower !== 'rsa' && lower !== 'ed25519') problem = `unknown key type "${value}"`;
      break;
    case 'p':
      meaning = value ? 'The public key (base64).' : 'Empty: the key has been revoked.';
      if (value && !BASE64.test(value)) problem = 'not valid base64';
      break;
    case 'h':
      meaning = 'Hash algorithms this key may be used with; signatures with other hashes are ignored.';
      break;
    case 's':
      meaning = 'Service types the key is for; it must include email or *.';
      if (!lower.split(':').some((x) => ['email', '*'].includes(x.trim()))) problem = 'not for email: verifiers must ignore this key';
      break;
    case 't': {
      const flags = lower.split(':').map((x) => x.trim());
      const parts = [];
      if (flags.includes('y')) parts.push('y: the domain is testing DKIM; receivers should not treat a failure differently from no signature');
      if (flags.includes('s')) parts.push('s: the i= domain must be exactly d=, not a subdomain');
      meaning = `Flags. ${parts.join('; ') || 'none that are defined'}.`;
      break;
    }
    case 'n':
      meaning = 'Notes for people (ignored by verifiers).';
      break;
    case 'g':
      meaning = 'Granularity (RFC 4871 only, removed by RFC 6376): ignored.';
      break;
    default:
      meaning = 'Unknown tag: ignored.';
  }
  return problem === undefined ? { name, value, meaning } : { name, value, meaning, problem };
}
