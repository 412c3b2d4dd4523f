// The SPF record as evaluated: each term, whether it matched, what it cost against the 10-lookup limit,
// and the records reached through include: and redirect=.
import type { SpfCheck, SpfNode } from '../../../shared/report.ts';
import { StatusBadge } from './Status.tsx';

export function SpfTree({ check }: { check: SpfCheck }) {
  const over = check.lookups.count > check.lookups.limit;
  return (
    <div className="spf-tree">
      <p className={over ? 'lookups over' : 'lookups'}>
        DNS lookups {check.lookups.count}/{check.lookups.limit} · void lookups {check.lookups.void}/{check.lookups.voidLimit}
        {check.decidingTerm ? (
          <>
            {' '}
            · decided by <code>{check.decidingTerm}</code>
          </>
        ) : null}
      </p>
      {check.tree ? <NodeView node={check.tree} /> : <p className="muted">No SPF record was evaluated.</p>}
    </div>
  );
}

function NodeView({ node }: { node: SpfNode }) {
  return (
    <div className="spf-node">
      <div className="spf-node-head">
        <code className="spf-domain">{node.domain}</code>
        {node.result && <StatusBadge word={node.result} />}
        {node.error && <span className="dns-bad"> {node.error}</span>}
      </div>
      {node.record && <code className="spf-record">{node.record}</code>}
      {node.terms.length > 0 && (
        <ul className="spf-terms">
          {node.terms.map((t, i) => (
            <li key={i} className={`spf-term term-${t.status}`}>
              <span className="term-status" aria-label={t.status}>
                {t.status === 'matched' ? '●' : t.status === 'error' ? '⚠' : t.status === 'not-reached' ? '·' : '○'}
              </span>{' '}
              <code>{t.text}</code> <span className="muted">{t.status.replace('-', ' ')}</span>
              {t.lookups > 0 && <span className="lookup-cost"> +{t.lookups} lookup{t.lookups > 1 ? 's' : ''}</span>}
              {t.detail && <span className="term-detail"> — {t.detail}</span>}
              {t.child && <NodeView node={t.child} />}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
