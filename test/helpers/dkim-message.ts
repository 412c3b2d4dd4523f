// Test-side helpers for DKIM: messages as evaluated (CRLF) and the verdict of a whole message.

import type { AuthResult, DkimSignatureReport } from '../../shared/report.ts';

/** Bare LF to CRLF, as the message would travel over SMTP (what the sample sources do before verifying). */
export function toCrlf(buf: Buffer): Buffer {
  return Buffer.from(buf.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

// the conformance manifest's order: a message's verdict is its best signature
const RANK: AuthResult[] = ['pass', 'fail', 'temperror', 'policy', 'permerror', 'neutral', 'none'];

export function bestResult(reports: DkimSignatureReport[]): AuthResult {
  let best: AuthResult = 'none';
  for (const r of reports) if (RANK.indexOf(r.result) < RANK.indexOf(best)) best = r.result;
  return best;
}

export function tagOf(report: DkimSignatureReport, name: string): string | undefined {
  return report.tags.findLast((t) => t.name === name)?.value;
}
