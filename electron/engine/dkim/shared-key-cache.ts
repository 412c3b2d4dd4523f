// mailauth's per-message key cache (tools.createKeyCache), with the reading of a key record kept
// across messages. mailauth's getPublicKey reads the record on every message: parse, a Joi base64
// check, createPublicKey and a PEM export, about a third of a 10 KB message's verification. A
// batch from one sender (an mbox, a mailing list) carries one key record, so that reading is kept,
// keyed by everything getPublicKey depends on: the question and the DNS answer itself. The DNS
// query is still made for every message (it is logged, and a record may change in between).

import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type { MailauthResolver } from '../dns/mailauth-adapter.ts';

const require = createRequire(import.meta.url);

interface KeyOptions {
  strict?: boolean;
  hashAlgo?: string;
}
interface PublicKeyResult {
  /** PEM from getPublicKey; kept as a KeyObject that prints as that PEM (see verifiableKey). */
  publicKey: string | KeyObject;
  rr: string;
  modulusLength?: number;
  keyType: string;
  flags: string[];
  testing: boolean;
  warnings: string[];
}
type GetPublicKey = (type: string, name: string, minBitLength: number | undefined, resolver: MailauthResolver, options: KeyOptions) => Promise<PublicKeyResult>;

const tools = require('mailauth/lib/tools.js') as { getPublicKey: GetPublicKey; toALabel(name: string): string };

/** What tools.createKeyCache returns: mailauth's DKIM verifier and ARC code call `get`, and compare `resolver`. */
export interface MailauthKeyCache {
  resolver: MailauthResolver;
  get(type: string, name: string, minBitLength: number | undefined, options?: KeyOptions): Promise<PublicKeyResult>;
}

type Outcome = { ok: true; value: PublicKeyResult } | { ok: false; error: Error & Record<string, unknown> };
const readings = new Map<string, Promise<Outcome>>();
const READINGS_MAX = 256;

/** One message's cache, like createKeyCache(resolver): the same question asked twice is one DNS query. */
export function createSharedKeyCache(resolver: MailauthResolver): MailauthKeyCache {
  const perMessage = new Map<string, Promise<PublicKeyResult>>();
  return {
    resolver,
    get(type, name, minBitLength, options = {}) {
      // mailauth's own cache key for one message
      const key = [!!options.strict, minBitLength || '', options.hashAlgo || '', name].join(':');
      let lookup = perMessage.get(key);
      if (!lookup) {
        lookup = readKey(type, name, minBitLength, resolver, options);
        // a prefetched lookup can fail before anything awaits it; whoever awaits still gets the error
        lookup.catch(() => false);
        perMessage.set(key, lookup);
      }
      return lookup;
    },
  };
}

async function readKey(type: string, name: string, minBitLength: number | undefined, resolver: MailauthResolver, options: KeyOptions): Promise<PublicKeyResult> {
  let answer: Awaited<ReturnType<MailauthResolver>>;
  try {
    // the same query getPublicKey makes (RFC 8616: U-labels as A-labels)
    answer = await resolver(tools.toALabel(name), 'TXT');
  } catch (err) {
    // DNS errors are mailauth's to report, as it always does; nothing to keep
    return tools.getPublicKey(type, name, minBitLength, async () => Promise.reject(err), options);
  }
  const key = JSON.stringify([type, name, minBitLength ?? null, !!options.strict, options.hashAlgo ?? null, answer]);
  let reading = readings.get(key);
  if (!reading) {
    reading = tools.getPublicKey(type, name, minBitLength, async () => answer, options).then(
      (value): Outcome => ({ ok: true, value: { ...value, publicKey: verifiableKey(value.publicKey) } }),
      (error): Outcome => ({ ok: false, error }),
    );
    if (readings.size >= READINGS_MAX) readings.delete(readings.keys().next().value!);
    readings.set(key, reading);
  }
  const outcome = await reading;
  // every caller gets its own copy: results and errors are amended per message
  if (outcome.ok) return { ...outcome.value, flags: [...outcome.value.flags], warnings: [...outcome.value.warnings] };
  throw Object.assign(new Error(outcome.error.message, { cause: outcome.error.cause }), outcome.error);
}

/**
 * The key as a KeyObject that prints as its PEM. mailauth only hands the key to crypto.verify
 * (DKIM and ARC) and keeps `publicKey.toString()` in its result. crypto.verify parses a PEM
 * string again on every call, half of an RSA-2048 verification (~20 of ~40 µs here); a KeyObject
 * is used as it is. (In the CLI bundle getPublicKey already returns such a key object, its PEM
 * made only when printed: scripts/build-cli.mjs, MAILAUTH_REWRITES.)
 */
function verifiableKey(publicKey: string | KeyObject): string | KeyObject {
  if (typeof publicKey !== 'string') return publicKey;
  let key: KeyObject;
  try {
    key = createPublicKey(publicKey);
  } catch {
    return publicKey; // mailauth made this PEM from a key object, so this is not expected: leave it as it was
  }
  Object.defineProperty(key, 'toString', { value: () => publicKey, enumerable: false });
  return key;
}
