// One neutral outline of a MessageReport that the Markdown and HTML exporters both render, so the
// two formats never disagree. Reads defensively: a report from the page is validated for shape only.

import type { MessageReport, Step } from '../../../shared/report.ts';

export interface Table {
  head: string[];
  rows: string[][];
}

export interface Section {
  title: string;
  result?: string;
  reason?: string;
  facts: [string, string][];
  /** Plain lines (summary lines, limitations). */
  lines: string[];
  steps: Step[];
  tables: Table[];
  /** Preformatted text (headers, records). */
  code?: string;
  children: Section[];
}

function section(title: string, init: Partial<Section> = {}): Section {
  return { title, facts: [], lines: [], steps: [], tables: [], children: [], ...init };
}

const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function facts(pairs: [string, unknown][]): [string, string][] {
  return pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [k, s(v)]);
}

export function reportTitle(r: MessageReport): string {
  return `AuthLab report${r.input?.subject ? `: ${r.input.subject}` : ''}`;
}

export function reportSections(r: MessageReport): Section[] {
  const out: Section[] = [];
  const steps = (x: { steps?: Step[] } | undefined) => (Array.isArray(x?.steps) ? x.steps : []);

  out.push(
    section('Summary', {
      result: r.summary?.verdict,
      reason: r.summary?.headline,
      lines: Array.isArray(r.summary?.lines) ? r.summary.lines.map(s) : [],
      facts: facts([
        ['Evaluated at', r.evaluatedAt],
        ['Mode', r.mode],
        ['Message index', r.index],
      ]),
    }),
  );

  const i = r.input;
  out.push(
    section('Message', {
      facts: facts([
        ['Subject', i?.subject],
        ['From', i?.from],
        ['Message-ID', i?.messageId],
        ['Date', i?.date],
        ['Kind', i?.kind],
        ['Size', i?.size !== undefined ? `${i.size} bytes` : undefined],
        ['Line endings', i?.lineEndings],
        ['Normalized to CRLF', i?.normalized ? 'yes' : undefined],
        ['Header fields', i?.headerCount],
      ]),
      lines: Array.isArray(i?.limitations) ? i.limitations.map((l) => `Limitation: ${s(l)}`) : [],
    }),
  );

  const e = r.envelope;
  const hops = Array.isArray(e?.hops) ? e.hops : [];
  out.push(
    section('Envelope', {
      facts: facts([
        ['Client IP', e?.ip !== undefined ? `${e.ip} (${s(e.origin?.ip)})` : undefined],
        ['HELO', e?.helo !== undefined ? `${e.helo} (${s(e.origin?.helo)})` : undefined],
        ['MAIL FROM', e?.mailFrom !== undefined ? `<${e.mailFrom}> (${s(e.origin?.mailFrom)})` : undefined],
        ['Receiving hop', e?.hop],
      ]),
      tables: hops.length
        ? [{ head: ['Hop', 'From', 'By', 'IP', 'Date', 'Delay (s)'], rows: hops.map((h) => [s(h.index), s(h.from), s(h.by), s(h.ip), s(h.date), s(h.delaySeconds)]) }]
        : [],
    }),
  );

  const spf = r.spf;
  const spfSection = section('SPF', {
    result: spf?.result ?? 'not evaluated',
    reason: spf?.notEvaluated ?? spf?.mailfrom?.reason ?? spf?.helo?.reason,
    facts: facts([
      ['Domain', spf?.domain],
      ['IP', spf?.ip],
      ['DNS lookups', spf?.lookups ? `${spf.lookups.count} of ${spf.lookups.limit} (void ${spf.lookups.void} of ${spf.lookups.voidLimit})` : undefined],
      ['mailauth says', spf?.mailauth ? `${spf.mailauth.result}${spf.mailauth.comment ? ` (${spf.mailauth.comment})` : ''}` : undefined],
      ['Lenient verdict', spf?.lenient ? `${s(spf.lenient.result)}: ${spf.lenient.reason}` : undefined],
    ]),
  });
  for (const check of [spf?.mailfrom, spf?.helo]) {
    if (!check) continue;
    spfSection.children.push(
      section(`SPF for ${check.identity === 'helo' ? 'HELO' : 'MAIL FROM'} ${s(check.domain)}`, {
        result: check.result,
        reason: check.reason,
        facts: facts([
          ['Sender', check.sender],
          ['Deciding term', check.decidingTerm],
          ['Explanation', check.explanation],
        ]),
        code: check.record,
        steps: steps(check),
      }),
    );
  }
  out.push(spfSection);

  const dkim = Array.isArray(r.dkim) ? r.dkim : [];
  const dkimSection = section('DKIM', { result: dkim.length ? undefined : 'none', reason: dkim.length ? undefined : 'no DKIM-Signature header' });
  for (const sig of dkim) {
    dkimSection.children.push(
      section(`DKIM signature ${s(sig.index)}${sig.domain ? ` (d=${sig.domain}${sig.selector ? `, s=${sig.selector}` : ''})` : ''}`, {
        result: sig.result,
        reason: sig.reason,
        facts: facts([
          ['Algorithm', sig.algorithm],
          ['Canonicalization', sig.canonicalization ? `${sig.canonicalization.header}/${sig.canonicalization.body}` : undefined],
          ['Identity', sig.identity],
          ['Body hash', sig.body ? (sig.body.matches ? 'matches' : `differs (expected ${s(sig.body.expectedHash)}, computed ${s(sig.body.computedHash)})`) : undefined],
          ['Header signature', sig.headerSignature],
          ['Key', sig.key ? `${s(sig.key.keyType)}${sig.key.bits ? ` ${sig.key.bits} bits` : ''}${sig.key.problem ? ` — ${sig.key.problem}` : ''}` : undefined],
          ['Signed at', sig.time?.signed],
          ['Expires', sig.time?.expires],
          ['Aligned with From', sig.aligned === undefined ? undefined : sig.aligned ? 'yes' : 'no'],
          ['Important headers left unsigned', sig.headers?.unsignedImportant?.length ? sig.headers.unsignedImportant.join(', ') : undefined],
          ['Lenient verdict', sig.lenient ? `${sig.lenient.result}: ${sig.lenient.reason}` : undefined],
        ]),
        steps: steps(sig),
      }),
    );
  }
  out.push(dkimSection);

  const d = r.dmarc;
  const align = d?.alignment;
  const alignRows: string[][] = [];
  if (align?.spf) alignRows.push(['SPF', align.spf.domain, s(align.spf.authResult), align.spf.mode, align.spf.aligned ? 'yes' : 'no', align.spf.reason]);
  for (const a of Array.isArray(align?.dkim) ? align.dkim : []) {
    alignRows.push([`DKIM ${s(a.signature)}`, a.domain, s(a.authResult), a.mode, a.aligned ? 'yes' : 'no', a.reason]);
  }
  out.push(
    section('DMARC', {
      result: d?.result ?? 'not evaluated',
      reason: d?.notEvaluated ?? d?.reason,
      facts: facts([
        ['From domain', d?.fromDomain],
        ['Organizational domain', d?.orgDomain],
        ['Record at', d?.recordDomain],
        ['Policy', d?.policy],
        ['Disposition', d?.disposition],
        ['Testing (t=y)', d?.testing ? 'yes' : undefined],
        ['Lenient verdict', d?.lenient ? `${s(d.lenient.result)}: ${d.lenient.reason}` : undefined],
      ]),
      code: d?.record,
      tables: alignRows.length ? [{ head: ['Identifier', 'Domain', 'Result', 'Mode', 'Aligned', 'Why'], rows: alignRows }] : [],
      steps: steps(d),
    }),
  );

  const arc = r.arc;
  const inst = Array.isArray(arc?.instances) ? arc.instances : [];
  out.push(
    section('ARC', {
      result: arc?.result,
      reason: arc?.reason,
      facts: facts([['Chain broken at instance', arc?.brokenAt]]),
      tables: inst.length
        ? [{ head: ['i', 'Seal', 'cv', 'Message signature', 'Domain'], rows: inst.map((x) => [s(x.i), s(x.seal?.result), s(x.seal?.cv), s(x.messageSignature?.result), s(x.seal?.domain ?? x.messageSignature?.domain)]) }]
        : [],
      steps: steps(arc),
    }),
  );

  const b = r.bimi;
  out.push(
    section('BIMI', {
      result: b?.result,
      reason: b?.reason,
      facts: facts([
        ['Selector', b?.selector],
        ['Logo', b?.location],
        ['Authority evidence', b?.authority],
      ]),
      code: b?.record,
      steps: steps(b),
    }),
  );

  const diffs = Array.isArray(r.stored?.differences) ? r.stored.differences : [];
  const stored = Array.isArray(r.stored?.headers) ? r.stored.headers : [];
  if (stored.length || diffs.length) {
    out.push(
      section('Stored results', {
        lines: stored.map((h) => `${s(h.field)}${h.authservId ? ` (${h.authservId})` : ''}: ${(Array.isArray(h.results) ? h.results : []).map((m) => `${s(m.method)}=${s(m.result)}`).join(', ')}`),
        tables: diffs.length ? [{ head: ['Method', 'Stored', 'Recomputed', 'Note'], rows: diffs.map((x) => [s(x.method), s(x.stored), s(x.recomputed), s(x.note)]) }] : [],
      }),
    );
  }

  const modes = Array.isArray(r.modeDifferences) ? r.modeDifferences : [];
  if (modes.length) {
    out.push(
      section('Strict and lenient differ', {
        tables: [{ head: ['Check', 'Strict', 'Lenient', 'Why'], rows: modes.map((m) => [s(m.check), s(m.strict), s(m.lenient), s(m.why)]) }],
      }),
    );
  }

  if (r.authenticationResults) out.push(section('Authentication-Results', { code: s(r.authenticationResults) }));

  const dns = Array.isArray(r.dns) ? r.dns : [];
  out.push(
    section('DNS queries', {
      lines: dns.length ? [] : ['No DNS queries.'],
      tables: dns.length
        ? [{ head: ['#', 'Name', 'Type', 'Rcode', 'Answers', 'Source', 'ms'], rows: dns.map((q) => [s(q.seq), s(q.name), s(q.type), s(q.rcode), (Array.isArray(q.answers) ? q.answers : []).map(s).join('\n') || s(q.error), s(q.source), s(q.ms)]) }]
        : [],
    }),
  );

  return out;
}
