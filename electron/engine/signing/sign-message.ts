// DKIM signing with one or more keys in one pass (dual RSA + Ed25519, RFC 8463 §5), through
// mailauth's signer in strict mode, with a review of the choices before anything is signed.

import type { DKIMSignOptions } from 'mailauth';
import type { SigningKey } from '../keys/dkim-key.ts';
import { DEFAULT_SIGNED_HEADERS, headerNames, reviewHeaders, type SignWarning } from './header-policy.ts';
import { mailauthSign } from './mailauth-signer.ts';
import { CodedError } from '../../../shared/coded-error.ts';

export type Canonicalization = 'relaxed/relaxed' | 'relaxed/simple' | 'simple/relaxed' | 'simple/simple';
export const CANONICALIZATIONS: readonly Canonicalization[] = ['relaxed/relaxed', 'relaxed/simple', 'simple/relaxed', 'simple/simple'];

export interface SignOptions {
  /** One signature per key, in this order (the first becomes the topmost DKIM-Signature). */
  keys: { key: SigningKey }[];
  canonicalization?: Canonicalization;
  /** Header fields to sign; default DEFAULT_SIGNED_HEADERS (only those present end up in h=). */
  headers?: string[];
  /** Fields listed once more than they occur, so an added instance breaks the signature. */
  overSign?: string[];
  /** Add l= (the body length signed). Risky: content can be appended (RFC 6376 §8.2). */
  bodyLength?: boolean;
  /** i=, the agent or user identifier; its domain must be d= or a subdomain. */
  identity?: string;
  /** t=; default now. */
  signTime?: Date;
  /** x=, the expiry. */
  expires?: Date;
}

export interface SignatureMade {
  keyId: string;
  domain: string;
  selector: string;
  algorithm: string;
  /** The DKIM-Signature header field as added (folded, no final line break). */
  header: string;
}

export interface SignResult {
  signed: Buffer;
  signatures: SignatureMade[];
  warnings: SignWarning[];
}

export class SigningError extends CodedError {
  readonly warnings: SignWarning[];
  constructor(code: string, message: string, warnings: SignWarning[] = []) {
    super('SigningError', code, message);
    this.warnings = warnings;
  }
}

/** Signs `message`; throws SigningError when a choice makes the signature useless (From unsigned, …). */
export async function signMessage(message: Buffer, opts: SignOptions): Promise<SignResult> {
  if (!opts.keys.length) throw new SigningError('no-key', 'no signing key given');
  const canonicalization = opts.canonicalization ?? 'relaxed/relaxed';
  if (!CANONICALIZATIONS.includes(canonicalization)) {
    throw new SigningError('bad-canonicalization', `"${canonicalization}" is not a canonicalization (relaxed/relaxed, relaxed/simple, simple/relaxed, simple/simple)`);
  }
  const overSign = dedupe(opts.overSign ?? []);
  const headers = dedupe([...(opts.headers ?? DEFAULT_SIGNED_HEADERS), ...overSign]);
  const warnings = reviewHeaders(headerNames(message), headers, overSign);
  const fatal = warnings.filter((w) => w.severity === 'error' && (w.code === 'from-not-signed' || w.code === 'no-from'));
  if (fatal.length) throw new SigningError(fatal[0].code, fatal[0].message, warnings);

  warnings.push(...reviewOptions(opts));
  const signTime = opts.signTime ?? new Date();
  const options: DKIMSignOptions = {
    // the top-level key fields satisfy the type; mailauth signs what is in signatureData
    signingDomain: opts.keys[0].key.info.domain,
    selector: opts.keys[0].key.info.selector,
    privateKey: opts.keys[0].key.privateKeyPem,
    canonicalization,
    headerList: headers,
    signTime,
    expires: opts.expires,
    strict: true,
    signatureData: opts.keys.map(({ key }) => ({
      signingDomain: key.info.domain,
      selector: key.info.selector,
      privateKey: key.privateKeyPem,
      algorithm: key.info.algorithm,
      canonicalization,
      // l= counts the whole canonical body: a limit above any real size
      ...(opts.bodyLength ? { maxBodyLength: Number.MAX_SAFE_INTEGER } : {}),
      ...(opts.identity ? { identity: opts.identity } : {}),
    })) as DKIMSignOptions[],
  };
  const res = await mailauthSign(message, options, overSign);
  if (res.errors.length) {
    const e = res.errors[0];
    throw new SigningError(e.err.code ?? 'sign-failed', `signing with ${e.selector}._domainkey.${e.signingDomain} failed: ${e.err.message}`, warnings);
  }
  const eol = message.includes('\r\n') || !message.includes('\n') ? '\r\n' : '\n';
  const lines = splitSignatures(res.signatures);
  const block = lines.map((l) => l.replace(/\r\n/g, eol) + eol).join('');
  return {
    signed: Buffer.concat([Buffer.from(block, 'latin1'), message]),
    signatures: lines.map((header, i) => ({
      keyId: opts.keys[i].key.info.id,
      domain: opts.keys[i].key.info.domain,
      selector: opts.keys[i].key.info.selector,
      algorithm: opts.keys[i].key.info.algorithm,
      header,
    })),
    warnings,
  };
}

function reviewOptions(opts: SignOptions): SignWarning[] {
  const w: SignWarning[] = [];
  if (opts.bodyLength) {
    w.push({ code: 'body-length', severity: 'warning', message: 'l= lets anyone append text after the signed body and keep the signature valid (RFC 6376 §8.2); most receivers ignore or distrust it' });
  }
  if (opts.keys.every(({ key }) => key.info.type === 'ed25519')) {
    w.push({ code: 'ed25519-only', severity: 'warning', message: 'only Ed25519 signatures: many receivers cannot verify them yet, so add an RSA signature too (RFC 8463 §5)' });
  }
  for (const { key } of opts.keys) {
    if (key.info.type === 'rsa' && key.info.bits < 2048) {
      w.push({ code: 'rsa-1024', severity: 'warning', message: `${key.info.dnsName} is a ${key.info.bits}-bit RSA key: allowed by RFC 8301 but 2048 bits is recommended, and some receivers already refuse 1024` });
    }
  }
  if (opts.expires) {
    const hours = (opts.expires.getTime() - (opts.signTime ?? new Date()).getTime()) / 3_600_000;
    if (hours > 0 && hours < 24) {
      w.push({ code: 'short-expiry', severity: 'warning', message: `x= expires ${hours.toFixed(1)} h after signing: mail delayed in queues or re-verified later (forwarding, ARC) will fail` });
    }
  }
  const domains = new Set(opts.keys.map(({ key }) => `${key.info.selector}/${key.info.domain}`));
  if (domains.size < opts.keys.length) w.push({ code: 'same-key-twice', severity: 'warning', message: 'the same selector and domain sign twice' });
  return w;
}

function dedupe(names: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of names.map((s) => s.trim()).filter(Boolean)) {
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(n)) throw new SigningError('bad-header-name', `"${n}" is not a header field name`);
    if (!seen.has(n.toLowerCase())) {
      seen.add(n.toLowerCase());
      out.push(n);
    }
  }
  return out;
}

/** mailauth returns the DKIM-Signature fields joined: split them back, folding kept. */
function splitSignatures(block: string): string[] {
  return block
    .split(/\r\n(?=DKIM-Signature:)/i)
    .map((s) => s.replace(/\r\n$/, ''))
    .filter(Boolean);
}
