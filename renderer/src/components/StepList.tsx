// The explained steps of one check: title, status, detail, the DNS answers used, and a way to the source lines.
import type { DnsLogEntry } from '../../../shared/dns.ts';
import type { ByteRange, Step } from '../../../shared/report.ts';
import { StatusBadge, stepWord } from './Status.tsx';

export function StepList({
  steps,
  dns,
  onReveal,
}: {
  steps: Step[];
  dns: DnsLogEntry[];
  onReveal: (ranges: ByteRange[], label: string) => void;
}) {
  if (!steps.length) return null;
  return (
    <ol className="steps">
      {steps.map((s, i) => (
        <li key={i} className={`step step-${s.status}`}>
          <div className="step-head">
            <StatusBadge word={s.status} label={stepWord(s.status)} />
            <strong className="step-title">{s.title}</strong>
            {s.source && s.source.length > 0 && (
              <button type="button" className="link-button" onClick={() => onReveal(s.source!, s.title)} aria-label={`Show "${s.title}" in the message`}>
                Show in message
              </button>
            )}
          </div>
          <p className="step-detail">{s.detail}</p>
          {s.dns && s.dns.length > 0 && <DnsUsed seqs={s.dns} dns={dns} />}
        </li>
      ))}
    </ol>
  );
}

export function DnsUsed({ seqs, dns }: { seqs: number[]; dns: DnsLogEntry[] }) {
  const entries = seqs.map((q) => dns.find((d) => d.seq === q)).filter((d): d is DnsLogEntry => Boolean(d));
  if (!entries.length) return null;
  return (
    <ul className="dns-used" aria-label="DNS answers used">
      {entries.map((d) => (
        <li key={d.seq}>
          <code>
            {d.name} {d.type}
          </code>{' '}
          → <span className={d.rcode === 'NOERROR' ? '' : 'dns-bad'}>{d.rcode}</span>
          {d.answers.length > 0 && (
            <>
              {' '}
              <code className="dns-answer">{d.answers.join(' | ')}</code>
            </>
          )}
          <span className="muted"> ({d.source})</span>
        </li>
      ))}
    </ul>
  );
}
