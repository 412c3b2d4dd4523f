// The human output of `authlab check`: the step-by-step report, readable in an 80-column terminal.

import { formatHopDelay } from '../../shared/hop-delay.ts';
import type { MessageOutcome, MessageReport, SpfCheck, SpfNode, Step } from '../../shared/report.ts';
import { REPORT_TEXT_BLOCKS, showControlsDeep } from '../../shared/visible-controls.ts';

interface Style {
  color: boolean;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;

function paint(s: Style, c: keyof typeof CODES, text: string): string {
  return s.color ? `\x1b[${CODES[c]}m${text}\x1b[0m` : text;
}

function word(s: Style, result: string | null | undefined): string {
  const r = result ?? 'not evaluated';
  const c = r === 'pass' ? 'green' : ['fail', 'permerror', 'softfail', 'policy'].includes(r) ? 'red' : ['temperror', 'neutral'].includes(r) ? 'yellow' : 'dim';
  return paint(s, c, r.toUpperCase());
}

const MARK: Record<Step['status'], string> = { pass: '✓', fail: '✗', warn: '!', info: '·', skip: '–' };

function steps(s: Style, list: Step[], indent: string): string[] {
  return list.map((st) => {
    const m = MARK[st.status];
    const c = st.status === 'pass' ? 'green' : st.status === 'fail' ? 'red' : st.status === 'warn' ? 'yellow' : 'dim';
    return `${indent}${paint(s, c, m)} ${st.title}${st.detail ? `: ${st.detail}` : ''}`;
  });
}

function spfTree(s: Style, node: SpfNode, indent: string, out: string[]): void {
  out.push(`${indent}${paint(s, 'bold', node.domain)}  ${node.record ? `"${node.record}"` : paint(s, 'dim', node.error ?? '(no record)')}`);
  for (const t of node.terms) {
    const mark = t.status === 'matched' ? paint(s, 'green', '●') : t.status === 'error' ? paint(s, 'red', '✗') : t.status === 'not-reached' ? paint(s, 'dim', '○') : '○';
    const cost = t.lookups ? paint(s, 'dim', ` [${t.lookups} lookup${t.lookups > 1 ? 's' : ''}]`) : '';
    out.push(`${indent}  ${mark} ${t.text}  ${paint(s, 'dim', t.status)}${cost}${t.detail ? ` — ${t.detail}` : ''}`);
    if (t.child) spfTree(s, t.child, indent + '      ', out);
  }
}

function spfCheck(s: Style, label: string, c: SpfCheck, out: string[]): void {
  out.push(`  ${label}: ${word(s, c.result)} for ${c.domain} — ${c.reason}`);
  out.push(`    lookups ${c.lookups.count}/${c.lookups.limit}, void lookups ${c.lookups.void}/${c.lookups.voidLimit}${c.decidingTerm ? `, decided by "${c.decidingTerm}"` : ''}`);
  if (c.explanation) out.push(`    explanation (exp=): ${c.explanation}`);
  if (c.tree) spfTree(s, c.tree, '    ', out);
  out.push(...steps(s, c.steps, '    '));
}

function formatMessage(r: MessageReport, s: Style): string {
  const out: string[] = [];
  const h = (t: string) => out.push('', paint(s, 'bold', t));
  const verdictColor = r.summary.verdict === 'pass' ? 'green' : r.summary.verdict === 'fail' ? 'red' : 'yellow';
  out.push(paint(s, 'bold', `Message ${r.index + 1}`) + (r.input.subject ? `: ${titleOf(r.input.subject)}` : ''));
  out.push(paint(s, verdictColor, r.summary.headline));
  out.push(paint(s, 'dim', `evaluated ${r.evaluatedAt}, ${r.mode} mode, ${r.input.kind}, ${r.input.evaluatedBytes} bytes${r.input.normalized ? ' (LF converted to CRLF)' : ''}`));
  for (const l of r.input.limitations) out.push(paint(s, 'yellow', `! ${l}`));

  h('Envelope');
  const e = r.envelope;
  out.push(`  client IP  ${e.ip ?? '(none)'}  [${e.origin.ip}${e.hop ? `, Received hop ${e.hop}` : ''}]`);
  out.push(`  HELO       ${e.helo ?? '(none)'}  [${e.origin.helo}]`);
  out.push(`  MAIL FROM  ${e.mailFrom === '' ? '<> (null sender)' : (e.mailFrom ?? '(unknown)')}  [${e.origin.mailFrom}]`);
  for (const hop of e.hops) {
    out.push(paint(s, 'dim', `  hop ${hop.index}: from ${hop.helo ?? hop.from ?? '?'}${hop.ip ? ` [${hop.ip}]` : ''} by ${hop.by ?? '?'}${hop.date ? ` at ${hop.date}` : ''}${hop.delaySeconds !== undefined ? ` (${formatHopDelay(hop.delaySeconds)})` : ''}`));
  }

  h(`SPF  ${word(s, r.spf.result)}${r.spf.domain ? ` (${r.spf.domain})` : ''}`);
  if (r.spf.result === null) out.push(`  not evaluated: ${r.spf.notEvaluated}`);
  if (r.spf.mailfrom) spfCheck(s, 'MAIL FROM identity', r.spf.mailfrom, out);
  if (r.spf.helo) spfCheck(s, 'HELO identity', r.spf.helo, out);
  if (r.spf.mailauth && r.spf.result !== null && r.spf.mailauth.result !== r.spf.result) {
    out.push(paint(s, 'yellow', `  ! mailauth says ${r.spf.mailauth.result}${r.spf.mailauth.comment ? ` (${r.spf.mailauth.comment})` : ''}`));
  }
  if (r.spf.lenient) out.push(paint(s, 'yellow', `  lenient verifiers: ${r.spf.lenient.result} — ${r.spf.lenient.reason}`));

  h(`DKIM  ${r.dkim.length ? r.dkim.map((d) => word(s, d.result)).join(' ') : word(s, 'none')}`);
  if (!r.dkim.length) out.push('  the message carries no DKIM-Signature');
  for (const d of r.dkim) {
    out.push(`  Signature ${d.index}: ${word(s, d.result)} d=${d.domain ?? '?'} s=${d.selector ?? '?'} a=${d.algorithm ?? '?'} c=${d.canonicalization.header}/${d.canonicalization.body}${d.aligned ? paint(s, 'green', ' aligned') : ''}`);
    out.push(`    ${d.reason}`);
    if (d.lenient) out.push(paint(s, 'yellow', `    lenient verifiers: ${d.lenient.result} — ${d.lenient.reason}`));
    out.push(...steps(s, d.steps, '    '));
  }

  h(`DMARC  ${word(s, r.dmarc.result)}${r.dmarc.fromDomain ? ` (${r.dmarc.fromDomain})` : ''}`);
  if (r.dmarc.notEvaluated) out.push(`  not evaluated: ${r.dmarc.notEvaluated}`);
  if (r.dmarc.record) out.push(`  record at ${r.dmarc.recordDomain ? `_dmarc.${r.dmarc.recordDomain}` : '?'}: "${r.dmarc.record}"`);
  if (r.dmarc.policy) out.push(`  policy ${r.dmarc.policy}, disposition ${r.dmarc.disposition ?? 'none'}${r.dmarc.testing ? ' (t=y: testing)' : ''}`);
  const al = r.dmarc.alignment;
  if (al.spf) out.push(`  SPF alignment (${al.spfMode}): ${al.spf.aligned ? paint(s, 'green', 'aligned') : paint(s, 'red', 'not aligned')} ${al.spf.domain} — ${al.spf.reason}`);
  for (const c of al.dkim) out.push(`  DKIM alignment (${al.dkimMode}) sig ${c.signature}: ${c.aligned ? paint(s, 'green', 'aligned') : paint(s, 'red', 'not aligned')} ${c.domain} — ${c.reason}`);
  out.push(`  ${r.dmarc.reason}`);
  out.push(...steps(s, r.dmarc.steps, '  '));

  h(`ARC  ${word(s, r.arc.result)}`);
  out.push(`  ${r.arc.reason}`);
  for (const i of r.arc.instances) {
    const ams = i.messageSignature;
    // an older set's message signature is not validated at all (RFC 8617): say so, not just "none"
    const amsNote = ams.result === 'none' && ams.reason ? ` — ${ams.reason}` : '';
    out.push(`  i=${i.i}: seal ${i.seal.result} (cv=${i.seal.cv ?? '?'}, d=${i.seal.domain ?? '?'}), message signature ${ams.result} (d=${ams.domain ?? '?'})${amsNote}`);
  }
  out.push(...steps(s, r.arc.steps, '  '));

  if (r.bimi.result !== 'skipped') {
    h(`BIMI  ${word(s, r.bimi.result)}`);
    out.push(`  ${r.bimi.reason}`);
    out.push(...steps(s, r.bimi.steps, '  '));
  }

  if (r.stored.headers.length) {
    h('Stored results in the message');
    for (const st of r.stored.headers) {
      out.push(`  ${st.field}${st.authservId ? ` from ${st.authservId}` : ''}${st.instance ? ` (i=${st.instance})` : ''}: ${st.results.map((x) => `${x.method}=${x.result}`).join(', ') || st.parseError || '(empty)'}`);
    }
    for (const d of r.stored.differences) out.push(paint(s, 'yellow', `  ≠ ${d.method}: stored ${d.stored}, recomputed ${d.recomputed} — ${d.note}`));
  }

  if (r.modeDifferences.length) {
    h('Strict vs lenient');
    for (const m of r.modeDifferences) out.push(`  ${m.check}: strict ${m.strict}, lenient ${m.lenient} — ${m.why}`);
  }

  h(`DNS (${r.dns.length} queries)`);
  for (const q of r.dns) {
    out.push(paint(s, 'dim', `  ${q.type.padEnd(5)} ${q.name} → ${q.rcode}${q.answers.length ? ` ${q.answers.join(' | ').slice(0, 120)}` : ''} [${q.source}, ${q.ms} ms]${q.error && q.rcode !== 'NXDOMAIN' ? ` ${q.error}` : ''}`));
  }

  h('Authentication-Results');
  out.push(r.authenticationResults.replace(/\r\n/g, '\n'));
  return out.join('\n') + '\n';
}

/** Printed between two messages of an mbox. */
export const MESSAGE_SEPARATOR = '\n' + '─'.repeat(72) + '\n\n';

const TITLE_MAX = 200;

/** A Subject as the title line: one line, and a 1 MB Subject does not fill the terminal. */
function titleOf(subject: string): string {
  if (subject.length <= TITLE_MAX) return subject;
  const chars = [...subject];
  return chars.length <= TITLE_MAX ? subject : `${chars.slice(0, TITLE_MAX).join('')}… (${chars.length - TITLE_MAX} more characters)`;
}

/**
 * One message's report, or why it could not be evaluated. Every string from the message or from
 * DNS is made safe for the terminal first: control and bidi characters are shown, not obeyed.
 */
export function formatOutcome(outcome: MessageOutcome, s: Style): string {
  const m = showControlsDeep(outcome, REPORT_TEXT_BLOCKS);
  return m.ok ? formatMessage(m, s) : `${paint(s, 'bold', `Message ${m.index + 1}`)}\n${paint(s, 'red', `error (${m.error.code}): ${m.error.message}`)}\n`;
}
