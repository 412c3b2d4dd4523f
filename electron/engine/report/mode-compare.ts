// Strict (today's RFCs) vs lenient (what many deployed verifiers accept): where the verdicts
// differ, record both with the reason. This is usually why two checkers disagree.

import type { ModeDifference, VerifyMode } from '../../../shared/report.ts';
import type { Verdicts } from '../evaluate-message.ts';

export function compareModes(primaryMode: VerifyMode, primary: Verdicts, other: Verdicts): ModeDifference[] {
  const out: ModeDifference[] = [];
  const pick = (p: string, o: string) => (primaryMode === 'strict' ? { strict: p, lenient: o } : { strict: o, lenient: p });
  const strictReason = (p: string, o: string) => (primaryMode === 'strict' ? p : o);

  const ps = primary.spf.result ?? 'not evaluated';
  const os = other.spf.result ?? 'not evaluated';
  if (ps !== os) {
    const pr = primary.spf.mailfrom?.reason ?? primary.spf.helo?.reason ?? '';
    const or = other.spf.mailfrom?.reason ?? other.spf.helo?.reason ?? '';
    out.push({ check: 'SPF', ...pick(ps, os), why: strictReason(pr, or) });
    if (primaryMode === 'strict') primary.spf.lenient = { result: other.spf.result, reason: or };
  }
  for (const d of primary.dkim) {
    const o = other.dkim.find((x) => x.index === d.index);
    if (o && o.result !== d.result) {
      out.push({ check: `DKIM signature ${d.index} (d=${d.domain ?? '?'})`, ...pick(d.result, o.result), why: strictReason(d.reason, o.reason) });
      if (primaryMode === 'strict') d.lenient = { result: o.result, reason: o.reason };
    }
  }
  if (primary.arc.result !== other.arc.result) {
    out.push({ check: 'ARC', ...pick(primary.arc.result, other.arc.result), why: strictReason(primary.arc.reason, other.arc.reason) });
    if (primaryMode === 'strict') primary.arc.lenient = { result: other.arc.result, reason: other.arc.reason };
  }
  const pd = primary.dmarc.result ?? 'not evaluated';
  const od = other.dmarc.result ?? 'not evaluated';
  if (pd !== od) {
    out.push({ check: 'DMARC', ...pick(pd, od), why: strictReason(primary.dmarc.reason, other.dmarc.reason) });
    if (primaryMode === 'strict') primary.dmarc.lenient = { result: other.dmarc.result, reason: other.dmarc.reason };
  }
  return out;
}
