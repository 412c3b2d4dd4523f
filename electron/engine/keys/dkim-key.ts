// DKIM signing keys: generation, PEM import, and the public parts a key record publishes.
// A key's private half leaves this module only as `SigningKey.privateKeyPem` (PKCS#8), which the
// key store encrypts at rest and the signer uses; nothing renderer-facing carries it.

import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { dnsRecordLine, keyRecordName, keyRecordValue } from './key-record.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

import type { KeyKind, PublicKeyInfo } from '../../../shared/keys.ts';
import { RSA_KEY_BITS } from '../../../shared/keys.ts';
import { CodedError } from '../../../shared/coded-error.ts';

export type KeyType = KeyKind;
export type SigningAlgorithm = PublicKeyInfo['algorithm'];
export const RSA_SIZES = RSA_KEY_BITS;

/** Everything about a key except its private half (shared/keys.ts). */
export type KeyInfo = PublicKeyInfo;

export interface SigningKey {
  info: KeyInfo;
  /** Unencrypted PKCS#8 PEM. */
  privateKeyPem: string;
}

/** A key that cannot be used, with a message meant for the user. */
export class KeyError extends CodedError {
  constructor(code: string, message: string) {
    super('KeyError', code, message);
  }
}

// RFC 6376 §3.1 selectors and §3.5 d= are dot-atoms of DNS labels; underscores are common in selectors.
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;

export function checkName(what: 'domain' | 'selector', value: string): string {
  const v = value.trim().replace(/\.$/, '').toLowerCase();
  const labels = v.split('.');
  if (!v || v.length > 253 || labels.some((l) => !LABEL.test(l)) || (what === 'domain' && labels.length < 2)) {
    throw new KeyError(`bad-${what}`, `"${value}" is not a valid ${what === 'domain' ? 'domain name (e.g. example.com)' : 'selector (DNS labels, e.g. s2026)'}`);
  }
  return v;
}

export interface KeyIdentity {
  domain: string;
  selector: string;
}

export async function generateKey(opts: KeyIdentity & { type?: KeyType; bits?: number; now?: Date }): Promise<SigningKey> {
  const type = opts.type ?? 'rsa';
  const domain = checkName('domain', opts.domain);
  const selector = checkName('selector', opts.selector);
  let privateKey: KeyObject;
  if (type === 'ed25519') {
    ({ privateKey } = await generateKeyPairAsync('ed25519'));
  } else if (type === 'rsa') {
    const bits = opts.bits ?? 2048;
    if (!(RSA_SIZES as readonly number[]).includes(bits)) throw new KeyError('bad-bits', `RSA keys are 1024, 2048 or 4096 bits (got ${bits})`);
    ({ privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits }));
  } else {
    throw new KeyError('bad-type', `unknown key type "${String(type)}" (rsa or ed25519)`);
  }
  return fromKeyObject(privateKey, { domain, selector, origin: 'generated', now: opts.now });
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/**
 * Imports a PEM private key: PKCS#1 (BEGIN RSA PRIVATE KEY, also legacy-encrypted with
 * Proc-Type: 4,ENCRYPTED), PKCS#8 (BEGIN PRIVATE KEY) or encrypted PKCS#8 (BEGIN ENCRYPTED
 * PRIVATE KEY). Everything else is refused with a message that says what it is instead.
 */
export function importPrivateKey(pem: string | Buffer, opts: KeyIdentity & { passphrase?: string; now?: Date }): SigningKey {
  const text = Buffer.isBuffer(pem) ? pem.toString('latin1') : pem;
  const domain = checkName('domain', opts.domain);
  const selector = checkName('selector', opts.selector);
  const labels = [...text.matchAll(PEM_BLOCK)].map((m) => m[1]);
  if (labels.length === 0) {
    throw new KeyError('not-pem', 'not a PEM private key: expected a "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----" or "-----BEGIN ENCRYPTED PRIVATE KEY-----" block');
  }
  const label = labels.find((l) => l.endsWith('PRIVATE KEY')) ?? labels[0];
  switch (label) {
    case 'RSA PRIVATE KEY':
    case 'PRIVATE KEY':
    case 'ENCRYPTED PRIVATE KEY':
      break;
    case 'PUBLIC KEY':
    case 'RSA PUBLIC KEY':
      throw new KeyError('public-key', 'this is a public key; signing needs the private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)');
    case 'CERTIFICATE':
    case 'TRUSTED CERTIFICATE':
    case 'X509 CERTIFICATE':
      throw new KeyError('certificate', 'this is a certificate, not a private key; DKIM signs with a bare private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)');
    case 'EC PRIVATE KEY':
      throw new KeyError('unsupported-type', 'this is an EC (ECDSA) key; DKIM signs only with RSA (RFC 8301) or Ed25519 (RFC 8463) keys');
    case 'OPENSSH PRIVATE KEY':
      throw new KeyError('openssh', 'this is an OpenSSH key file; convert it to PEM first (ssh-keygen -p -m PEM -f FILE) or generate a DKIM key here');
    case 'DSA PRIVATE KEY':
      throw new KeyError('unsupported-type', 'this is a DSA key; DKIM signs only with RSA (RFC 8301) or Ed25519 (RFC 8463) keys');
    default:
      throw new KeyError('not-private-key', `a "${label}" block is not a private key this lab can import (PKCS#1 or PKCS#8 PEM)`);
  }
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,\s*ENCRYPTED/im.test(text);
  if (encrypted && !opts.passphrase) throw new KeyError('passphrase-required', 'the private key is encrypted: give its passphrase');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem', ...(encrypted ? { passphrase: opts.passphrase } : {}) });
  } catch (err) {
    if (encrypted) throw new KeyError('wrong-passphrase', 'cannot decrypt the private key: wrong passphrase (or an unsupported cipher)');
    throw new KeyError('bad-pem', `the PEM block does not hold a readable private key (${(err as Error).message.replace(/^error:[^:]*:/, '')})`);
  }
  return fromKeyObject(key, { domain, selector, origin: 'imported', now: opts.now });
}

function fromKeyObject(key: KeyObject, o: KeyIdentity & { origin: KeyInfo['origin']; now?: Date }): SigningKey {
  const kt = key.asymmetricKeyType;
  if (kt === 'ec') throw new KeyError('unsupported-type', 'this is an EC (ECDSA) key; DKIM signs only with RSA (RFC 8301) or Ed25519 (RFC 8463) keys');
  if (kt !== 'rsa' && kt !== 'ed25519') {
    throw new KeyError('unsupported-type', `a ${kt ?? 'unknown'} key cannot sign DKIM; use RSA (RFC 8301) or Ed25519 (RFC 8463)`);
  }
  const pub = createPublicKey(key);
  let bits: number;
  let publicKey: string;
  if (kt === 'rsa') {
    bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    // RFC 8301 §3.2: signers MUST use at least 1024 bits, and verifiers MUST NOT accept less
    if (bits < 1024) throw new KeyError('weak-key', `the RSA key has ${bits} bits; RFC 8301 requires at least 1024 (2048 recommended)`);
    publicKey = pub.export({ format: 'der', type: 'spki' }).toString('base64');
  } else {
    bits = 256;
    publicKey = rawEd25519(pub).toString('base64');
  }
  const info: Omit<KeyInfo, 'dnsName' | 'dnsValue' | 'dnsRecord'> = {
    id: newKeyId(),
    domain: o.domain,
    selector: o.selector,
    type: kt,
    algorithm: kt === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256',
    bits,
    created: (o.now ?? new Date()).toISOString(),
    origin: o.origin,
    publicKey,
  };
  return { info: withRecord(info), privateKeyPem: key.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/** Fills the DNS fields from the identity and public key (also used after a rename of the selector). */
export function withRecord(info: Omit<KeyInfo, 'dnsName' | 'dnsValue' | 'dnsRecord'>): KeyInfo {
  return {
    ...info,
    dnsName: keyRecordName(info.selector, info.domain),
    dnsValue: keyRecordValue(info.type, info.publicKey),
    dnsRecord: dnsRecordLine(info.selector, info.domain, info.type, info.publicKey),
  };
}

/** The 32 raw bytes of an Ed25519 public key: the SPKI minus its fixed 12-byte prefix. */
export function rawEd25519(pub: KeyObject): Buffer {
  const spki = pub.export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32);
}

/** Random and short enough to type: "k_" + 64 random bits in hex. */
export function newKeyId(): string {
  return 'k_' + randomBytes(8).toString('hex');
}
