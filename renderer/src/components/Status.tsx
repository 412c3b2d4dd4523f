// Status words with an icon: colour is never the only signal.
import type { Step } from '../../../shared/report.ts';

const ICONS: Record<string, string> = {
  pass: '✔',
  fail: '✖',
  softfail: '✖',
  permerror: '⚠',
  temperror: '⚠',
  warn: '⚠',
  policy: '⚠',
  neutral: '○',
  none: '○',
  info: 'ℹ',
  skip: '–',
  skipped: '–',
  declined: '–',
  partial: '◐',
  error: '⚠',
  evaluating: '…',
};

export function tone(word: string): 'good' | 'bad' | 'warn' | 'neutral' {
  switch (word) {
    case 'pass':
      return 'good';
    case 'fail':
    case 'softfail':
    case 'permerror':
    case 'error':
    case 'reject':
      return 'bad';
    case 'warn':
    case 'temperror':
    case 'partial':
    case 'policy':
    case 'quarantine':
      return 'warn';
    default:
      return 'neutral';
  }
}

export function StatusBadge({ word, label }: { word: string; label?: string }) {
  return (
    <span className={`badge tone-${tone(word)}`} data-status={word}>
      <span aria-hidden="true">{ICONS[word] ?? '•'}</span> {label ?? word}
    </span>
  );
}

export function stepWord(status: Step['status']): string {
  return status === 'skip' ? 'skipped' : status;
}
