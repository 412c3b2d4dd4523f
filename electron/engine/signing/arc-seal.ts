// ARC sealing as an intermediary does it (RFC 8617 §5.1): AAR, AMS and AS with the next
// instance and the chain validation status, through mailauth's createSeal in strict mode.

import { createRequire } from 'node:module';
import type { SigningKey } from '../keys/dkim-key.ts';
import { CodedError } from '../../../shared/coded-error.ts';
import { installLinearHeaderParser } from '../dkim/linear-headers.ts';

// mailauth's header parser is quadratic in a field's continuation lines (linear-headers.ts)
installLinearHeaderParser();

const require = createRequire(import.meta.url);
// through require: the copy of mailauth the engine's other modules use (in the Electron bundle, the
// one loaded from node_modules), whose message parser is made linear
const { createSeal } = require('mailauth') as typeof import('mailauth');

export interface ArcSealOptions {
  key: SigningKey;
  /** The Authentication-Results payload the sealer vouches for: "authserv-id; dkim=pass …" (a full header is accepted). */
  authResults: string;
  /** cv=: "none" for the first set, "pass"/"fail" after validating the chain on the message. */
  cv?: 'none' | 'pass' | 'fail';
  signTime?: Date;
  /** Header fields the ARC-Message-Signature covers (those present are signed); default mailauth's ARC list. */
  headerList?: string[];
}

export interface ArcSealResult {
  sealed: Buffer;
  instance: number;
  cv: string;
  /** ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results, as added. */
  headers: string[];
  warnings: string[];
}

export class ArcSealError extends CodedError {
  constructor(code: string, message: string) {
    super('ArcSealError', code, message);
  }
}

export async function arcSeal(message: Buffer, opts: ArcSealOptions): Promise<ArcSealResult> {
  const authResults = opts.authResults.replace(/^\s*Authentication-Results\s*:\s*/i, '').replace(/\r?\n[ \t]*/g, ' ').trim();
  if (!authResults) throw new ArcSealError('no-auth-results', 'ARC sealing needs the Authentication-Results the sealer vouches for (--auth-results)');
  const { info, privateKeyPem } = opts.key;
  const res = await createSeal(message, {
    seal: {
      signingDomain: info.domain,
      selector: info.selector,
      privateKey: privateKeyPem,
      algorithm: info.algorithm,
      authResults,
      cv: opts.cv,
      signTime: opts.signTime ?? new Date(),
      ...(opts.headerList?.length ? { headerList: opts.headerList.join(':') } : {}),
      strict: true,
    },
  });
  if (!res.headers.length) {
    const e = res.errors[0]?.err;
    throw new ArcSealError(e?.code ?? 'seal-failed', `ARC sealing failed: ${e?.message ?? 'no ARC set was created'}`);
  }
  const seal = res.headers[0];
  const instance = Number(/\bi=\s*(\d+)/.exec(seal)?.[1]);
  const cv = /\bcv=\s*([a-z]+)/i.exec(seal)?.[1]?.toLowerCase() ?? '';
  const eol = message.includes('\r\n') || !message.includes('\n') ? '\r\n' : '\n';
  const block = res.headers.map((h) => h.replace(/\r\n/g, eol) + eol).join('');
  return { sealed: Buffer.concat([Buffer.from(block, 'latin1'), message]), instance, cv, headers: res.headers, warnings: res.warnings };
}
