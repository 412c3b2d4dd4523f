// DKIM public key records (RFC 6376 §3.6.1, RFC 8463 §4) fetched and read for the report, and
// the header signature checked with node:crypto. mailauth skips the key and the signature after
// a body-hash failure; checking them anyway tells "body changed" apart from "headers changed".

import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { DkimKeyInfo } from '../../../shared/report.ts';
import type { Rcode } from '../../../shared/dns.ts';
import { txtValue } from '../../../shared/dns.ts';
import type { Resolver } from '../dns/resolver.ts';
import { explainKeyTag, parseTagList, toAsciiDomain } from './tags.ts';

/** RFC 8301 §3.2: verifiers must not accept RSA keys under 1024 bits; mailauth's default too. */
export const MIN_RSA_BITS = 1024;
/** Under this, an RSA key still verifies but is worth a warning (RFC 8301 recommends 2048). */
export const RECOMMENDED_RSA_BITS = 2048;

export type KeyFailure =
  | { kind: 'dns'; rcode: Rcode; message: string } // temporary: try again later
  | { kind: 'no-key'; message: string } // NXDOMAIN or no TXT record
  | { kind: 'invalid'; message: string }; // a record that cannot be used

export interface KeyLookup {
  info: DkimKeyInfo;
  publicKey?: KeyObject;
  failure?: KeyFailure;
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A bare RSAPublicKey (SEQUENCE of INTEGERs) rather than a SubjectPublicKeyInfo. */
function isBareRsaKey(der: Buffer): boolean {
  if (der.length < 3 || der[0] !== 0x30) return false;
  const header = der[1] < 0x80 ? 2 : 2 + (der[1] & 0x7f);
  return der[header] === 0x02;
}

export function keyRecordName(selector: string, domain: string): string {
  return `${selector}._domainkey.${domain}`;
}

/**
 * Reads a key record. `strict` applies RFC 6376 exactly (v= first and exactly DKIM1, a record
 * without syntax errors, k= required for ed25519), as mailauth's strict mode does.
 */
// A batch of messages from one sender carries one key: parse each p= once (KeyObjects are immutable).
const parsedKeys = new Map<string, KeyObject | null>();
const PARSED_KEYS_MAX = 256;

function parsePublicKey(p: string, der: Buffer, asEd25519: boolean): KeyObject | null {
  const cacheKey = `${asEd25519 ? 'ed' : 'der'}:${p}`;
  const cached = parsedKeys.get(cacheKey);
  if (cached !== undefined) return cached;
  let key: KeyObject | null;
  try {
    if (asEd25519) key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, der]), format: 'der', type: 'spki' });
    else if (isBareRsaKey(der)) key = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
    else key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    key = null;
  }
  if (parsedKeys.size >= PARSED_KEYS_MAX) parsedKeys.delete(parsedKeys.keys().next().value!);
  parsedKeys.set(cacheKey, key);
  return key;
}

export function readKeyRecord(name: string, record: string, opts: { strict: boolean; hashAlgo?: string }): KeyLookup {
  const list = parseTagList(record);
  const info: DkimKeyInfo = { name, record, testing: false, tags: list.tags.map((t) => explainKeyTag(t.name, t.value)) };
  const get = (n: string) => {
    for (let i = list.tags.length - 1; i >= 0; i--) if (list.tags[i].name === n || (!opts.strict && list.tags[i].name.toLowerCase() === n)) return list.tags[i].value;
    return undefined;
  };
  const fail = (message: string): KeyLookup => ({ info: { ...info, problem: message }, failure: { kind: 'invalid', message } });

  const flags = (get('t') ?? '').toLowerCase().split(':').map((f) => f.trim());
  info.testing = flags.includes('y');
  info.strictIdentity = flags.includes('s');
  if (get('h') !== undefined) info.hashAlgorithms = get('h');
  if (get('s') !== undefined) info.services = get('s');
  const k = get('k')?.toLowerCase();
  if (k) info.keyType = k;

  // RFC 6376 §6.1.2 step 5: a record that is not valid tag-list syntax is ignored. In both modes:
  // deployed verifiers reject it too, only mailauth's lenient mode reads past the error.
  if (list.syntaxErrors.length) return fail(`key record syntax error: ${list.syntaxErrors[0]}`);
  const p = get('p');
  if (p === undefined) return fail('the key record has no p= tag');
  if (p === '') {
    info.revoked = true;
    return fail('the key has been revoked (empty p=)');
  }
  const v = get('v');
  if (v !== undefined) {
    if (v.toLowerCase() !== 'dkim1') return fail(`unknown key record version v=${v}`);
    if (opts.strict && (v !== 'DKIM1' || list.tags[0]?.name !== 'v')) return fail('v=DKIM1 must be exactly that and the first tag');
  }
  if (info.services !== undefined && !info.services.toLowerCase().split(':').some((s) => ['email', '*'].includes(s.trim()))) {
    return fail(`the key is not for email (s=${info.services})`);
  }
  if (info.hashAlgorithms !== undefined && opts.hashAlgo) {
    const allowed = info.hashAlgorithms.toLowerCase().split(':').map((h) => h.trim());
    if (!allowed.includes(opts.hashAlgo)) return fail(`the key only allows ${info.hashAlgorithms}, not ${opts.hashAlgo} (key h=)`);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(p)) return fail('the public key is not valid base64');
  if (k && k !== 'rsa' && k !== 'ed25519') return fail(`unknown key type k=${k}`);

  const der = Buffer.from(p, 'base64');
  const asEd25519 = der.length === 32 && (k === 'ed25519' || (!k && !opts.strict));
  const key = parsePublicKey(p, der, asEd25519);
  if (!key) return fail('the public key cannot be read');
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ed25519') return fail(`unsupported key type ${type}`);
  if (k && k !== type) return fail(`k=${k} but the key is ${type}`);
  if (!k && type !== 'rsa' && opts.strict) return fail(`k= is missing (it defaults to rsa) but the key is ${type}`);
  info.keyType = type;
  if (type === 'ed25519' && der.length !== 32 && opts.strict) return fail('an ed25519 key must be published as the bare 32-byte key (RFC 8463 §4.2), not a DER structure');
  info.bits = type === 'ed25519' ? 256 : key.asymmetricKeyDetails?.modulusLength;
  return { info, publicKey: key };
}

/** Fetches and reads the key record at `s._domainkey.d` through `resolver`. */
export async function lookupKey(resolver: Resolver, selector: string, domain: string, opts: { strict: boolean; hashAlgo?: string }): Promise<KeyLookup> {
  const name = keyRecordName(selector, domain);
  let qname = name;
  try {
    qname = toAsciiDomain(name);
  } catch {
    // not a name that converts: query it as written, it will not be found
  }
  const answer = await resolver.query(qname, 'TXT');
  const info: DkimKeyInfo = { name, testing: false };
  if (answer.rcode === 'NXDOMAIN') return { info: { ...info, problem: 'no key: the name does not exist (NXDOMAIN)' }, failure: { kind: 'no-key', message: 'no key record (NXDOMAIN)' } };
  if (answer.rcode !== 'NOERROR') {
    const message = `DNS ${answer.rcode}${answer.error ? `: ${answer.error}` : ''}`;
    return { info: { ...info, problem: message }, failure: { kind: 'dns', rcode: answer.rcode, message } };
  }
  const texts = answer.records.map(txtValue).filter((t): t is string => t !== undefined);
  if (!texts.length) return { info: { ...info, problem: 'no TXT record at this name' }, failure: { kind: 'no-key', message: 'no key record (no TXT data)' } };
  // RFC 6376 §3.6.2.2: the strings of one record are concatenated; mailauth uses the first record
  const record = texts[0].replace(/\s+/g, ' ').trim();
  if (!record || record === '""') return { info: { ...info, record, problem: 'the key record is empty' }, failure: { kind: 'invalid', message: 'empty key record' } };
  const lookup = readKeyRecordCached(name, record, opts);
  if (texts.length > 1) lookup.info.problem = [lookup.info.problem, `${texts.length} TXT records at this name; the first is used`].filter(Boolean).join('; ');
  return lookup;
}

// One sender, one key record: read and explain it once per process. Each caller gets its own
// info object (it is amended per message); the explained tags and the KeyObject are immutable.
const readRecords = new Map<string, KeyLookup>();
function readKeyRecordCached(name: string, record: string, opts: { strict: boolean; hashAlgo?: string }): KeyLookup {
  const cacheKey = `${opts.strict}\0${opts.hashAlgo ?? ''}\0${name}\0${record}`;
  let read = readRecords.get(cacheKey);
  if (!read) {
    read = readKeyRecord(name, record, opts);
    if (readRecords.size >= PARSED_KEYS_MAX) readRecords.delete(readRecords.keys().next().value!);
    readRecords.set(cacheKey, read);
  }
  return { ...read, info: { ...read.info } };
}

/**
 * Verifies b= over the canonicalized header data: RSA PKCS#1 v1.5 with the a= hash, or Ed25519
 * over the SHA-256 hash of the data (RFC 8463 §3).
 */
export function verifyHeaderSignature(algorithm: string, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  const a = algorithm.toLowerCase();
  try {
    if (a === 'ed25519-sha256' && key.asymmetricKeyType === 'ed25519') return verify(null, createHash('sha256').update(data).digest(), key, signature);
    if ((a === 'rsa-sha256' || a === 'rsa-sha1') && key.asymmetricKeyType === 'rsa') return verify(a === 'rsa-sha1' ? 'sha1' : 'sha256', data, key, signature);
  } catch {
    return false;
  }
  return false;
}
