// Points each step at the DNS answers it used (Step.dns / SpfTerm.dns hold query-log `seq`s), so
// the report can show "what was checked, the DNS answer used, why" side by side. The checks
// themselves run below the query log and do not know its numbering; this pass matches by name.

import type { RRType } from '../../../shared/dns.ts';
import type { MessageReport, SpfCheck, SpfNode, SpfTerm } from '../../../shared/report.ts';
import { normalizeName } from '../dns/resolver.ts';

export function linkDnsToSteps(report: MessageReport): void {
  const byQuestion = new Map<string, number>();
  for (const q of report.dns) if (!byQuestion.has(`${q.type} ${q.name}`)) byQuestion.set(`${q.type} ${q.name}`, q.seq);
  const seqs = (name: string, ...types: RRType[]): number[] =>
    types.map((t) => byQuestion.get(`${t} ${normalizeName(name)}`)).filter((s): s is number => s !== undefined);

  for (const d of report.dkim) {
    if (!d.key?.name) continue;
    const key = seqs(d.key.name, 'TXT');
    for (const st of d.steps) if (st.title === 'Key lookup') attach(st, key);
  }

  for (const check of [report.spf.mailfrom, report.spf.helo]) if (check?.tree) linkSpf(check, seqs);

  // BIMI looks up <selector>._bimi.<domain>, then the organisational domain's
  const bimi = report.dns.filter((q) => q.type === 'TXT' && q.name.includes('._bimi.')).map((q) => q.seq);
  for (const st of report.bimi.steps) if (st.title === 'BIMI record' || st.title.startsWith('Look up ')) attach(st, bimi);

  for (const inst of report.arc.instances) {
    const names = [inst.seal, inst.messageSignature].filter((s) => s.domain && s.selector).map((s) => `${s.selector}._domainkey.${s.domain}`);
    for (const st of report.arc.steps) if (st.title.includes(`i=${inst.i}`)) for (const n of names) attach(st, seqs(n, 'TXT'));
  }
}

function linkSpf(check: SpfCheck, seqs: (name: string, ...types: RRType[]) => number[]): void {
  const terms: SpfTerm[] = [];
  const walk = (node: SpfNode) => {
    const record = seqs(node.domain, 'TXT');
    for (const st of check.steps) if (st.title.startsWith(`Looked up the SPF record of ${node.domain}`)) attach(st, record);
    for (const t of node.terms) {
      const target = termTarget(t, node.domain);
      if (t.child) {
        attach(t, seqs(t.child.domain, 'TXT'));
        walk(t.child);
      } else if (target && (t.name === 'a' || t.name === 'exists')) attach(t, seqs(target, 'A', 'AAAA'));
      else if (target && t.name === 'mx') attach(t, seqs(target, 'MX'));
      terms.push(t);
    }
  };
  walk(check.tree!);
  for (const st of check.steps) {
    const t = terms.find((x) => x.dns?.length && st.title.includes(x.text));
    if (t) attach(st, t.dns!);
  }
}

/** The domain a term looks up, when it is written out (macros are expanded at evaluation only). */
function termTarget(t: SpfTerm, domain: string): string | undefined {
  const m = /^[+\-~?]?[a-z]+(?::([^/]+))?/i.exec(t.text);
  const target = m?.[1] ?? domain;
  return target.includes('%') ? undefined : target;
}

function attach(x: { dns?: number[] }, seqs: number[]): void {
  if (!seqs.length) return;
  x.dns = [...new Set([...(x.dns ?? []), ...seqs])].sort((a, b) => a - b);
}

