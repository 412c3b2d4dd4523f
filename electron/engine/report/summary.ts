// The report's headline and summary lines, in plain words.

import type { MessageReport } from '../../../shared/report.ts';

export function summarize(r: MessageReport): MessageReport['summary'] {
  const lines: string[] = [];
  const { spf, dkim, dmarc, arc } = r;

  if (spf.result === null) lines.push(`SPF not evaluated: ${spf.notEvaluated ?? 'unknown reason'}`);
  else {
    const c = spf.mailfrom && spf.domain === spf.mailfrom.domain ? spf.mailfrom : spf.helo;
    lines.push(`SPF ${spf.result} for ${spf.domain} from ${spf.ip}${c ? `: ${c.reason}` : ''}`);
  }
  if (dkim.length === 0) lines.push('DKIM none: the message carries no DKIM-Signature');
  for (const d of dkim) {
    lines.push(`DKIM ${d.result} for d=${d.domain ?? '?'} s=${d.selector ?? '?'}${d.aligned ? ' (aligned)' : ''}: ${d.reason}`);
  }
  if (dmarc.result === null) lines.push(`DMARC not evaluated: ${dmarc.notEvaluated ?? dmarc.reason}`);
  else lines.push(`DMARC ${dmarc.result} for ${dmarc.fromDomain}${dmarc.policy ? ` (policy ${dmarc.policy}, disposition ${dmarc.disposition ?? 'none'})` : ''}: ${dmarc.reason}`);
  if (arc.instances.length) lines.push(`ARC ${arc.result} over ${arc.instances.length} set(s): ${arc.reason}`);
  if (r.bimi.result !== 'skipped' && r.bimi.result !== 'none') lines.push(`BIMI ${r.bimi.result}: ${r.bimi.reason}`);
  for (const d of r.stored.differences) lines.push(`Differs from the stored header: ${d.note}`);
  for (const m of r.modeDifferences) lines.push(`Strict and lenient verifiers disagree on ${m.check}: strict ${m.strict}, lenient ${m.lenient} (${m.why})`);

  let verdict: MessageReport['summary']['verdict'];
  let headline: string;
  const from = dmarc.fromDomain ?? r.input.from ?? 'the From domain';
  if (dmarc.result === 'pass') {
    verdict = 'pass';
    const how = [dmarc.alignment.spf?.aligned && 'aligned SPF', dmarc.alignment.dkim.some((c) => c.aligned) && 'an aligned DKIM signature']
      .filter(Boolean)
      .join(' and ');
    headline = `Authenticated: ${from} passes DMARC through ${how || 'an aligned identifier'}.`;
  } else if (dmarc.result === 'fail') {
    verdict = 'fail';
    // the reason already begins "DMARC fails:" and names what a receiver would do; say each once
    const why = dmarc.reason.replace(/^DMARC fails: /, '');
    const action = dmarc.disposition && dmarc.disposition !== 'none' && !/receiver following/.test(why) ? ` A receiver following the policy would ${dmarc.disposition} it.` : '';
    headline = `Not authenticated: ${from} fails DMARC — ${why}${action}`;
  } else if (dkim.some((d) => d.result === 'pass') || spf.result === 'pass') {
    verdict = 'partial';
    headline = `Partly authenticated: ${[spf.result === 'pass' && `SPF passes for ${spf.domain}`, dkim.some((d) => d.result === 'pass') && 'a DKIM signature verifies'].filter(Boolean).join(' and ')}, but DMARC is ${dmarc.result ?? 'not evaluated'} for ${from}.`;
  } else if (dkim.some((d) => d.result === 'fail') || spf.result === 'fail' || spf.result === 'softfail') {
    verdict = 'fail';
    headline = `Not authenticated: ${dkim.some((d) => d.result === 'fail') ? 'DKIM fails' : `SPF ${spf.result}`} and DMARC is ${dmarc.result ?? 'not evaluated'} for ${from}.`;
  } else {
    verdict = 'none';
    headline = `Nothing authenticates this message: no passing SPF or DKIM, and DMARC is ${dmarc.result ?? 'not evaluated'}.`;
  }
  if (r.input.kind === 'headers-only') headline += ' (Headers only: the body was not checked.)';
  return { verdict, headline, lines };
}
