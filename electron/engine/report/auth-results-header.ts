// A fresh Authentication-Results header (RFC 8601) for this evaluation, as a receiver would add it.

import type { Envelope, MessageReport } from '../../../shared/report.ts';

type Verdicts = Pick<MessageReport, 'spf' | 'dkim' | 'dmarc' | 'arc' | 'bimi'>;

/** RFC 8601 §2.2: a value that is not a token must be a quoted string. */
function value(v: string): string {
  return /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~@]+$/.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`;
}

/** RFC 5322 comments nest: balanced parentheses stay as they are, others are quoted-pairs. */
function comment(text: string): string {
  let depth = 0;
  let balanced = true;
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) balanced = false;
  }
  const escaped = balanced && depth === 0 ? text.replace(/\\/g, '\\\\') : text.replace(/[()\\]/g, '\\$&');
  return `(${escaped})`;
}

export function formatAuthenticationResults(authservId: string, v: Verdicts, envelope: Envelope): string {
  const parts: string[] = [];
  if (v.dkim.length === 0) parts.push('dkim=none (no signatures)');
  for (const d of v.dkim) {
    const props = [
      d.domain && `header.d=${value(d.domain)}`,
      d.selector && `header.s=${value(d.selector)}`,
      d.algorithm && `header.a=${value(d.algorithm)}`,
      // RFC 6008: the first characters of b= tell signatures of one domain apart
      d.b && `header.b=${value(d.b.replace(/\s+/g, '').slice(0, 8))}`,
    ].filter(Boolean);
    parts.push([`dkim=${d.result}`, comment(d.reason.slice(0, 120)), ...props].join(' '));
  }
  if (v.spf.result !== null) {
    const props: string[] = [];
    if (v.spf.mailfrom && v.spf.result === v.spf.mailfrom.result && v.spf.domain === v.spf.mailfrom.domain) {
      props.push(`smtp.mailfrom=${value(v.spf.mailfrom.sender)}`);
    } else if (envelope.helo) {
      props.push(`smtp.helo=${value(envelope.helo)}`);
    }
    parts.push([`spf=${v.spf.result}`, v.spf.ip ? comment(`sender IP is ${v.spf.ip}`) : '', ...props].filter(Boolean).join(' '));
  }
  if (v.dmarc.result !== null) {
    const d = v.dmarc;
    const c = d.policy ? comment(`p=${d.policy} dis=${(d.disposition ?? 'none').toUpperCase()}`) : '';
    parts.push([`dmarc=${d.result}`, c, d.fromDomain ? `header.from=${value(d.fromDomain)}` : ''].filter(Boolean).join(' '));
  }
  parts.push(v.arc.instances.length ? `arc=${v.arc.result} ${comment(`i=${v.arc.instances.length}`)}` : 'arc=none');
  if (v.bimi.result !== 'skipped') {
    const b = v.bimi;
    parts.push([`bimi=${b.result}`, b.location ? `policy.indicator-uri=${value(b.location)}` : ''].filter(Boolean).join(' '));
  }
  return `Authentication-Results: ${authservId};\r\n ${parts.join(';\r\n ')}`;
}
