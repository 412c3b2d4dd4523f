// The one place that reaches into mailauth's signer. mailauth signs every instance of each
// listed header field but cannot list a name more often than it occurs, which over-signing
// needs (RFC 6376 §8.15: an extra h= entry for a field that is not there makes a later added
// instance break the signature). h= is built from the parsed rows' `casedKey`, while the hash
// covers their `line`; so appending the extra names to the casedKey of the topmost signed row
// puts them at the end of h= without changing a byte that is hashed. Tested against mailauth
// 7.1.0 and three independent verifiers (test/sign-interop.test.ts).

import { createRequire } from 'node:module';
import type { DKIMSignOptions, DKIMSignResult } from 'mailauth';
import { installLinearHeaderParser } from '../dkim/linear-headers.ts';

// mailauth's header parser is quadratic in a field's continuation lines (linear-headers.ts)
installLinearHeaderParser();

const require = createRequire(import.meta.url);
// through require, as the signer class below: one copy of mailauth (the Electron bundle loads
// required modules from node_modules), the one whose message parser is made linear
const { dkimSign } = require('mailauth') as { dkimSign(message: Buffer, options: DKIMSignOptions): Promise<DKIMSignResult> };

interface ParsedRow {
  key: string;
  casedKey: string;
  line: Buffer;
}
interface SignerInstance {
  messageHeaders(headers: { parsed: ParsedRow[] }): Promise<void>;
  signatureHeaders: string[];
  errors: DKIMSignResult['errors'];
  warnings: DKIMSignResult['warnings'];
}
type SignerClass = new (options: DKIMSignOptions) => SignerInstance;

const { DkimSigner } = require('mailauth/lib/dkim/dkim-signer.js') as { DkimSigner: SignerClass };
const { writeToStream } = require('mailauth/lib/tools.js') as { writeToStream: (stream: unknown, input: Buffer) => Promise<void> };

/** Adds `overSign` names once more to h= (after every real instance). Names must be in the header list. */
export function addOverSignedNames(rows: ParsedRow[], signed: Set<string>, overSign: string[]): void {
  if (!overSign.length) return;
  // getSigningHeaderLines walks rows bottom-up, so the topmost signed row is the last in h=,
  // and the topmost row of a name is the last instance of that name in h=
  const topmost = (name?: string) => rows.find((r) => (name ? r.key === name : signed.has(r.key)));
  for (const name of overSign) {
    const row = topmost(name.toLowerCase()) ?? topmost();
    if (row) row.casedKey = `${row.casedKey}: ${name}`;
  }
}

export async function mailauthSign(message: Buffer, options: DKIMSignOptions, overSign: string[]): Promise<DKIMSignResult> {
  if (!overSign.length) return dkimSign(message, options);
  const signed = new Set(
    (Array.isArray(options.headerList) ? options.headerList : String(options.headerList ?? '').split(':')).map((h) => h.trim().toLowerCase()),
  );
  class OverSigningSigner extends DkimSigner {
    override async messageHeaders(headers: { parsed: ParsedRow[] }): Promise<void> {
      addOverSignedNames(headers.parsed, signed, overSign);
      return super.messageHeaders(headers);
    }
  }
  const signer = new OverSigningSigner(options);
  await writeToStream(signer, message);
  const headers = signer.signatureHeaders;
  return { signatures: headers.length ? headers.join('\r\n') + '\r\n' : '', errors: signer.errors, warnings: signer.warnings };
}
