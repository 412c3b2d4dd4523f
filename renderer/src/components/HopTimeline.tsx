// The Received hops, oldest at the bottom as in the message, with delays, and the DKIM t=/x= times beside them.
import { formatHopDelay } from '../../../shared/hop-delay.ts';
import type { DkimSignatureReport, Envelope } from '../../../shared/report.ts';

export function HopTimeline({ envelope, dkim }: { envelope: Envelope; dkim: DkimSignatureReport[] }) {
  const stamps = dkim.filter((d) => d.time.signed || d.time.expires);
  if (!envelope.hops.length && !stamps.length) return <p className="muted">No Received headers and no DKIM timestamps.</p>;
  return (
    <div className="timeline">
      <ol className="hops" aria-label="Received hops, newest first">
        {envelope.hops.map((h) => (
          <li key={h.index} className={envelope.hop === h.index ? 'hop boundary' : 'hop'}>
            <span className="hop-index">#{h.index}</span>
            <span className="hop-main">
              {h.from ?? '?'} {h.ip ? <code>[{h.ip}]</code> : null} → {h.by ?? '?'}
              {envelope.hop === h.index && <span className="pill">receiving boundary</span>}
            </span>
            <span className="hop-meta">
              {h.date ?? 'no date'}
              {h.delaySeconds !== undefined && <span className={h.delaySeconds > 300 || h.delaySeconds < 0 ? 'delay slow' : 'delay'}> {formatHopDelay(h.delaySeconds)}</span>}
            </span>
          </li>
        ))}
      </ol>
      {stamps.length > 0 && (
        <ul className="dkim-times" aria-label="DKIM signature times">
          {stamps.map((d) => (
            <li key={d.index}>
              DKIM #{d.index} ({d.domain}): signed {d.time.signed ?? '—'}, expires {d.time.expires ?? 'never'}
              {d.time.problem && <span className="dns-bad"> — {d.time.problem}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
