// One card per check: SPF, each DKIM signature, DMARC (with the alignment diagram), ARC, BIMI.
import type { ReactNode } from 'react';
import type { ByteRange, DkimSignatureReport, MessageReport, TagExplained } from '../../../shared/report.ts';
import { StatusBadge } from './Status.tsx';
import { StepList } from './StepList.tsx';
import { SpfTree } from './SpfTree.tsx';
import { AlignmentDiagram } from './AlignmentDiagram.tsx';

type Reveal = (ranges: ByteRange[], label: string) => void;

function Card({ title, result, children, testId }: { title: string; result: string; children: ReactNode; testId: string }) {
  const headingId = `${testId}-heading`;
  return (
    <section className="card" aria-labelledby={headingId} data-testid={testId} data-result={result}>
      <h3 id={headingId} className="card-title">
        <span>{title}</span> <StatusBadge word={result} />
      </h3>
      {children}
    </section>
  );
}

export function Checks({ report, onReveal }: { report: MessageReport; onReveal: Reveal }) {
  const { spf, dmarc, arc, bimi } = report;
  return (
    <div className="checks">
      <Card title="SPF" result={spf.result ?? 'none'} testId="card-spf">
        <p>
          {spf.notEvaluated ??
            `${spf.domain ? `Checked ${spf.domain}` : 'Checked'}${spf.ip ? ` for ${spf.ip}` : ''}: ${spf.mailfrom?.reason ?? spf.helo?.reason ?? ''}`}
        </p>
        {spf.lenient && spf.lenient.result !== spf.result && (
          <p className="mode-note">Lenient mode would say {spf.lenient.result ?? 'not evaluated'}: {spf.lenient.reason}</p>
        )}
        {spf.mailfrom && (
          <details open>
            <summary>MAIL FROM {spf.mailfrom.domain}: {spf.mailfrom.result}</summary>
            <StepList steps={spf.mailfrom.steps} dns={report.dns} onReveal={onReveal} />
            <SpfTree check={spf.mailfrom} />
          </details>
        )}
        {spf.helo && (
          <details>
            <summary>HELO {spf.helo.domain}: {spf.helo.result}</summary>
            <StepList steps={spf.helo.steps} dns={report.dns} onReveal={onReveal} />
            <SpfTree check={spf.helo} />
          </details>
        )}
      </Card>

      {report.dkim.length === 0 ? (
        <Card title="DKIM" result="none" testId="card-dkim-none">
          <p>The message carries no DKIM-Signature.</p>
        </Card>
      ) : (
        report.dkim.map((d) => <DkimCard key={d.index} sig={d} report={report} onReveal={onReveal} />)
      )}

      <Card title="DMARC" result={dmarc.result ?? 'none'} testId="card-dmarc">
        <p>{dmarc.notEvaluated ?? dmarc.reason}</p>
        {dmarc.policy && (
          <p>
            Policy <strong>p={dmarc.policy}</strong>
            {dmarc.testing ? ' (testing, t=y)' : ''} → a receiver following it would <strong>{dispositionWords(dmarc.disposition)}</strong>.
          </p>
        )}
        {dmarc.lenient && dmarc.lenient.result !== dmarc.result && (
          <p className="mode-note">Lenient mode would say {dmarc.lenient.result ?? 'not evaluated'}: {dmarc.lenient.reason}</p>
        )}
        {!dmarc.notEvaluated && <AlignmentDiagram dmarc={dmarc} />}
        {dmarc.discovery.length > 0 && (
          <ul className="discovery" aria-label="DMARC record discovery">
            {dmarc.discovery.map((d, i) => (
              <li key={i}>
                <code>{d.name}</code>: {d.found ? <code>{d.record}</code> : 'no record'}
              </li>
            ))}
          </ul>
        )}
        <TagTable tags={dmarc.tags} caption="DMARC record tags" />
        <StepList steps={dmarc.steps} dns={report.dns} onReveal={onReveal} />
      </Card>

      <Card title="ARC" result={arc.result} testId="card-arc">
        <p>{arc.reason}</p>
        {arc.instances.length > 0 && (
          <ol className="arc-instances" aria-label="ARC sets">
            {arc.instances.map((a) => (
              <li key={a.i}>
                i={a.i}: seal <StatusBadge word={a.seal.result} /> cv={a.seal.cv ?? '?'} ({a.seal.domain ?? '?'}), message signature{' '}
                <StatusBadge word={a.messageSignature.result} />
                {a.seal.reason ? ` — ${a.seal.reason}` : ''}
              </li>
            ))}
          </ol>
        )}
        <StepList steps={arc.steps} dns={report.dns} onReveal={onReveal} />
      </Card>

      <Card title="BIMI" result={bimi.result} testId="card-bimi">
        <p>{bimi.reason}</p>
        {bimi.record && (
          <p>
            Record <code>{bimi.record}</code>
          </p>
        )}
        {/* The logo is never fetched or rendered: the location is shown as text. */}
        {bimi.location && (
          <p>
            Logo location (not fetched): <code>{bimi.location}</code>
          </p>
        )}
        <StepList steps={bimi.steps} dns={report.dns} onReveal={onReveal} />
      </Card>
    </div>
  );
}

function DkimCard({ sig, report, onReveal }: { sig: DkimSignatureReport; report: MessageReport; onReveal: Reveal }) {
  return (
    <Card title={`DKIM #${sig.index}${sig.domain ? ` d=${sig.domain}` : ''}${sig.selector ? ` s=${sig.selector}` : ''}`} result={sig.result} testId={`card-dkim-${sig.index}`}>
      <p>
        {sig.reason}
        {sig.aligned !== undefined && <> · {sig.aligned ? 'aligned with From' : 'not aligned with From'}</>}
      </p>
      {sig.lenient && sig.lenient.result !== sig.result && (
        <p className="mode-note">Lenient mode would say {sig.lenient.result}: {sig.lenient.reason}</p>
      )}
      <button type="button" className="link-button" onClick={() => onReveal([sig.source], `DKIM-Signature #${sig.index}`)}>
        Show signature in message
      </button>
      <StepList steps={sig.steps} dns={report.dns} onReveal={onReveal} />
      {sig.headers.unsignedImportant.length > 0 && (
        <p className="warn-note">Unsigned important fields: {sig.headers.unsignedImportant.join(', ')} (they could be added or replaced).</p>
      )}
      <details>
        <summary>Signed header fields ({sig.headers.list.length})</summary>
        <ul className="signed-list">
          {sig.headers.analysis.map((h) => (
            <li key={h.name}>
              <code>{h.name}</code> — {h.status.replace('-', ' ')} (listed {h.listed}×, present {h.present}×)
              {h.important ? ' · important' : ''}
            </li>
          ))}
        </ul>
      </details>
      <details>
        <summary>Signature tags</summary>
        <TagTable tags={sig.tags} caption={`Tags of DKIM signature #${sig.index}`} />
      </details>
      {sig.key && (
        <details>
          <summary>
            Key {sig.key.name}
            {sig.key.bits ? ` (${sig.key.keyType ?? ''} ${sig.key.bits} bits)` : ''}
            {sig.key.problem ? ` — ${sig.key.problem}` : ''}
          </summary>
          {sig.key.record && <code className="dns-answer block">{sig.key.record}</code>}
          {sig.key.tags && <TagTable tags={sig.key.tags} caption="Key record tags" />}
        </details>
      )}
    </Card>
  );
}

function TagTable({ tags, caption }: { tags: TagExplained[]; caption: string }) {
  if (!tags.length) return null;
  return (
    <table className="tag-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Tag</th>
          <th scope="col">Value</th>
          <th scope="col">Meaning</th>
        </tr>
      </thead>
      <tbody>
        {tags.map((t, i) => (
          <tr key={i} className={t.problem ? 'has-problem' : ''}>
            <th scope="row">
              <code>{t.name}</code>
            </th>
            <td>
              <code className="tag-value">{t.value}</code>
            </td>
            <td>
              {t.meaning}
              {t.problem && <div className="dns-bad">⚠ {t.problem}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function dispositionWords(d: string | undefined): string {
  if (d === 'reject') return 'reject it';
  if (d === 'quarantine') return 'quarantine it (spam folder)';
  return 'deliver it normally';
}
