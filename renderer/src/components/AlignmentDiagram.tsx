// DMARC identifier alignment: the From domain against SPF's MAIL FROM domain and each DKIM d=.
// Drawn in SVG, with every fact repeated in the text list below it (screen readers, copy/paste).
import type { AlignmentCheck, DmarcReport } from '../../../shared/report.ts';

interface Row {
  label: string;
  check: AlignmentCheck;
}

export function AlignmentDiagram({ dmarc }: { dmarc: DmarcReport }) {
  const rows: Row[] = [];
  if (dmarc.alignment.spf) rows.push({ label: 'SPF MAIL FROM', check: dmarc.alignment.spf });
  for (const d of dmarc.alignment.dkim) rows.push({ label: `DKIM #${d.signature ?? '?'} d=`, check: d });
  const from = dmarc.fromDomain ?? (dmarc.fromDomains.join(', ') || '(no From domain)');
  const rowH = 64;
  const height = Math.max(rows.length, 1) * rowH + 16;
  const fromY = height / 2;
  return (
    <figure className="alignment" aria-labelledby="alignment-caption" data-testid="alignment-diagram">
      <figcaption id="alignment-caption">
        Identifier alignment — SPF {dmarc.alignment.spfMode}, DKIM {dmarc.alignment.dkimMode}
        {dmarc.orgDomain ? ` (organizational domain ${dmarc.orgDomain})` : ''}
      </figcaption>
      <svg viewBox={`0 0 640 ${height}`} width="100%" role="img" aria-label={`From domain ${from} compared with ${rows.length} authenticated domains`}>
        <g className="node node-from">
          <rect x="8" y={fromY - 22} width="190" height="44" rx="6" />
          <text x="103" y={fromY - 4} textAnchor="middle" className="node-kicker">
            header From
          </text>
          <text x="103" y={fromY + 13} textAnchor="middle" className="node-domain">
            {clip(from, 24)}
          </text>
        </g>
        {rows.map((r, i) => {
          const y = 8 + i * rowH + rowH / 2;
          const ok = r.check.aligned;
          return (
            <g key={i} className={`edge ${ok ? 'edge-aligned' : 'edge-unaligned'}`} data-aligned={ok}>
              <title>{r.check.reason}</title>
              <line x1="198" y1={fromY} x2="420" y2={y} strokeDasharray={ok ? undefined : '6 5'} />
              <text x="309" y={(fromY + y) / 2 - 6} textAnchor="middle" className="edge-label">
                {ok ? '✔ aligned' : '✖ not aligned'} · {r.check.mode}
              </text>
              <rect x="420" y={y - 22} width="212" height="44" rx="6" className="node" />
              <text x="526" y={y - 4} textAnchor="middle" className="node-kicker">
                {r.label} · {r.check.authResult ?? 'not evaluated'}
              </text>
              <text x="526" y={y + 13} textAnchor="middle" className="node-domain">
                {clip(r.check.domain || '(none)', 26)}
              </text>
            </g>
          );
        })}
      </svg>
      <ul className="alignment-list">
        {rows.length === 0 && <li>No authenticated identifier to align (no SPF domain, no DKIM signature).</li>}
        {rows.map((r, i) => (
          <li key={i} data-aligned={r.check.aligned}>
            <strong>{r.label}</strong> <code>{r.check.domain || '(none)'}</code> ({r.check.authResult ?? 'not evaluated'}):{' '}
            {r.check.aligned ? 'aligned' : 'not aligned'}, {r.check.mode} — {r.check.reason}
          </li>
        ))}
      </ul>
    </figure>
  );
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
