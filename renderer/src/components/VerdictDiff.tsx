// Before/after: what a what-if or envelope change did to each check.
import type { MessageReport } from '../../../shared/report.ts';
import { StatusBadge } from './Status.tsx';

export function checkResults(r: MessageReport): [string, string][] {
  const rows: [string, string][] = [['Overall', r.summary.verdict]];
  rows.push(['SPF', r.spf.result ?? 'none']);
  if (!r.dkim.length) rows.push(['DKIM', 'none']);
  for (const d of r.dkim) rows.push([`DKIM #${d.index} ${d.domain ?? ''}`.trim(), d.result]);
  rows.push(['DMARC', r.dmarc.result ?? 'none'], ['ARC', r.arc.result], ['BIMI', r.bimi.result]);
  return rows;
}

export function VerdictDiff({ before, after }: { before: MessageReport; after: MessageReport }) {
  const a = new Map(checkResults(after));
  const b = new Map(checkResults(before));
  const names = [...new Set([...b.keys(), ...a.keys()])];
  const changed = names.filter((n) => a.get(n) !== b.get(n));
  return (
    <section className="panel verdict-diff" aria-labelledby="diff-heading" data-testid="verdict-diff">
      <h2 id="diff-heading">Before → after your change</h2>
      {changed.length === 0 ? (
        <p>No verdict changed.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {changed.map((n) => (
              <tr key={n}>
                <th scope="row">{n}</th>
                <td>{b.has(n) ? <StatusBadge word={b.get(n)!} /> : '—'}</td>
                <td>{a.has(n) ? <StatusBadge word={a.get(n)!} /> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
