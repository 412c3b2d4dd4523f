// The DKIM key record (RFC 6376 §3.6.1): the zone-file line to publish, and the check of what
// DNS holds for it today.

import { createPublicKey } from 'node:crypto';
import type { DnsAnswer } from '../../../shared/dns.ts';
import type { Resolver } from '../dns/resolver.ts';

export function keyRecordName(selector: string, domain: string): string {
  return `${selector}._domainkey.${domain}`;
}

export function keyRecordValue(type: 'rsa' | 'ed25519', publicKey: string): string {
  return `v=DKIM1; k=${type}; p=${publicKey}`;
}

/** Splits a TXT value into character-strings of at most 255 bytes (RFC 1035 §3.3.14). The value is ASCII. */
export function splitTxt(value: string, max = 255): string[] {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += max) parts.push(value.slice(i, i + max));
  return parts.length ? parts : [''];
}

/** `selector._domainkey.domain. IN TXT "v=DKIM1; k=rsa; p=…" "…"`: one line, ready for a zone file. */
export function dnsRecordLine(selector: string, domain: string, type: 'rsa' | 'ed25519', publicKey: string): string {
  const strings = splitTxt(keyRecordValue(type, publicKey)).map((s) => `"${s}"`);
  return `${keyRecordName(selector, domain)}. IN TXT ${strings.join(' ')}`;
}

export type PublishedStatus = 'absent' | 'matching' | 'different' | 'malformed' | 'unavailable';

export interface PublishedCheck {
  status: PublishedStatus;
  name: string;
  /** The TXT value(s) found, strings joined. */
  found: string[];
  detail: string;
}

/** Parses a key record's tag list leniently enough to tell "malformed" from "a different key". */
export function parseKeyRecord(value: string): { tags: Map<string, string> } | { error: string } {
  const tags = new Map<string, string>();
  for (const part of value.split(';')) {
    const t = part.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq < 1) return { error: `"${t}" is not a tag=value pair` };
    const name = t.slice(0, eq).trim();
    if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(name)) return { error: `"${name}" is not a tag name` };
    if (tags.has(name)) return { error: `tag ${name}= appears twice` };
    tags.set(name, t.slice(eq + 1).replace(/\s+/g, ''));
  }
  return { tags };
}

/** Compares the key published at the key's name with the key itself. Never throws for DNS outcomes. */
export async function checkPublished(
  key: { selector: string; domain: string; type: 'rsa' | 'ed25519'; publicKey: string },
  resolver: Resolver,
): Promise<PublishedCheck> {
  const name = keyRecordName(key.selector, key.domain);
  const answer: DnsAnswer = await resolver.query(name, 'TXT');
  const found = answer.records.flatMap((r) => (r.type === 'TXT' ? [r.data.join('')] : []));
  const result = (status: PublishedStatus, detail: string): PublishedCheck => ({ status, name, found, detail });
  if (answer.rcode === 'NXDOMAIN') return result('absent', `${name} does not exist (NXDOMAIN): publish the record`);
  if (answer.rcode !== 'NOERROR') return result('unavailable', `DNS lookup failed (${answer.rcode}${answer.error ? `: ${answer.error}` : ''}); try again`);
  if (found.length === 0) return result('absent', `${name} has no TXT record: publish the record`);
  // RFC 6376 §3.6.2.2: several TXT records at the name make the result undefined
  if (found.length > 1) return result('malformed', `${found.length} TXT records at ${name}; verifiers may pick any of them, publish exactly one`);
  const parsed = parseKeyRecord(found[0]);
  if ('error' in parsed) return result('malformed', `the record is not a valid tag list: ${parsed.error}`);
  const { tags } = parsed;
  const v = tags.get('v');
  if (v !== undefined && v !== 'DKIM1') return result('malformed', `v=${v} is not DKIM1`);
  const p = tags.get('p');
  if (p === undefined) return result('malformed', 'the record has no p= tag');
  if (p === '') return result('different', 'the record is revoked (empty p=): this selector was retired');
  const k = (tags.get('k') ?? 'rsa').toLowerCase();
  if (k !== 'rsa' && k !== 'ed25519') return result('malformed', `k=${k} is not a key type verifiers know`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p)) return result('malformed', 'p= is not base64');
  if (k !== key.type) return result('different', `the record holds an ${k} key; this key is ${key.type}`);
  const same = k === 'ed25519' ? normalizeB64(p) === normalizeB64(key.publicKey) : sameRsaKey(p, key.publicKey);
  if (same === undefined) return result('malformed', 'p= does not decode to an RSA public key');
  return same ? result('matching', 'the published record holds this key') : result('different', 'the published record holds a different key');
}

function normalizeB64(s: string): string {
  return Buffer.from(s, 'base64').toString('base64');
}

/** RSA p= may be SPKI (RFC 6376) or a bare PKCS#1 RSAPublicKey (which some signers publish). */
function sameRsaKey(published: string, mine: string): boolean | undefined {
  const der = Buffer.from(published, 'base64');
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const k = createPublicKey({ key: der, format: 'der', type });
      return k.export({ format: 'der', type: 'spki' }).toString('base64') === normalizeB64(mine);
    } catch {
      // try the other encoding
    }
  }
  return undefined;
}
