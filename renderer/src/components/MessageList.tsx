// The loaded files, each with its verdict (or its own error), and the messages of an mbox.
import { memo } from 'react';
import type { MessageOutcome } from '../../../shared/report.ts';
import type { LoadedFile, Selection } from '../state.ts';
import { formatSize } from '../lib/bytes.ts';
import { StatusBadge } from './Status.tsx';
import { tally } from '../lib/verdict-tally.ts';
import { showControls } from '../../../shared/visible-controls.ts';

export function MessageList({
  files,
  selection,
  onSelect,
  onRemove,
}: {
  files: LoadedFile[];
  selection: Selection | null;
  onSelect: (s: Selection) => void;
  onRemove: (id: string) => void;
}) {
  if (!files.length) {
    return <p className="muted empty-list">No messages yet. Drop .eml or mbox files anywhere, use Open, or Paste.</p>;
  }
  return (
    <ul className="message-list" aria-label="Loaded messages">
      {files.map((f) => {
        const outcomes = f.result?.messages ?? [];
        const many = outcomes.length > 1 || (f.progress?.total ?? 0) > 1;
        const first = outcomes[0];
        const word =
          f.status === 'reading' || f.status === 'evaluating' ? 'evaluating' : f.error ? 'error' : first ? (first.ok ? first.summary.verdict : 'error') : 'none';
        const current = selection?.fileId === f.id && (!many || selection.index === 0);
        return (
          <li key={f.id} className="message-item" data-file={f.fileName} data-status={word}>
            <div className="message-row">
              <button
                type="button"
                className={current ? 'message-button current' : 'message-button'}
                aria-current={current ? 'true' : undefined}
                onClick={() => onSelect({ fileId: f.id, index: 0 })}
              >
                <span className="message-name">{f.fileName}</span>
                <span className="message-meta">
                  {formatSize(f.size)}
                  {f.headersOnly ? ' · headers only' : ''}
                  {many && !f.progress ? ` · ${outcomes.length.toLocaleString('en-US')} messages: ${tally(outcomes)}` : ''}
                  {f.progress ? ` · ${f.progress.done.toLocaleString('en-US')} of ${f.progress.total.toLocaleString('en-US')} messages evaluated…` : ''}
                </span>
                {f.progress && (
                  <progress className="file-progress" max={f.progress.total} value={f.progress.done} aria-label={`Evaluating ${f.fileName}`} />
                )}
                {!many && <StatusBadge word={word} label={word === 'evaluating' ? 'evaluating…' : undefined} />}
                {!many && first?.ok && <span className="message-headline">{first.summary.headline}</span>}
                {f.error && (
                  <span className="message-error" role="note">
                    {f.error.message}
                  </span>
                )}
                {!many && first && !first.ok && <span className="message-error">{first.error.message}</span>}
              </button>
              <button type="button" className="icon-button" aria-label={`Remove ${f.fileName}`} onClick={() => onRemove(f.id)}>
                ×
              </button>
            </div>
            {many && (
              <ul className="mbox-list" aria-label={`Messages in ${f.fileName}`}>
                {outcomes.map((o, i) => (
                  <MboxRow key={i} fileId={f.id} index={i} outcome={o} selected={selection?.fileId === f.id && selection.index === i} onSelect={onSelect} />
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * One message of an mbox. Memoised: while a large mbox is evaluated slice by slice the list grows
 * by hundreds of rows at a time, and the rows already there keep their props.
 */
const MboxRow = memo(function MboxRow({
  fileId,
  index,
  outcome: o,
  selected,
  onSelect,
}: {
  fileId: string;
  index: number;
  outcome: MessageOutcome;
  selected: boolean;
  onSelect: (s: Selection) => void;
}) {
  return (
    <li>
      <button
        type="button"
        className={selected ? 'message-button current' : 'message-button'}
        aria-current={selected ? 'true' : undefined}
        onClick={() => onSelect({ fileId, index })}
      >
        <span className="message-name">
          #{index + 1} {o.ok ? (o.input.subject !== undefined ? showControls(o.input.subject) : '(no subject)') : ''}
        </span>
        <StatusBadge word={o.ok ? o.summary.verdict : 'error'} />
        {!o.ok && <span className="message-error">{showControls(o.error.message)}</span>}
      </button>
    </li>
  );
});
