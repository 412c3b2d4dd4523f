// How many messages of an mbox have each verdict, for the list's file row.
import type { MessageOutcome } from '../../../shared/report.ts';

const VERDICT_ORDER = ['pass', 'partial', 'fail', 'none', 'error'] as const;

/** "1,990 pass, 12 fail, 10 error": verdicts that occur, in a fixed order; an unreadable message is an error. */
export function tally(outcomes: readonly MessageOutcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const word = o.ok ? o.summary.verdict : 'error';
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return VERDICT_ORDER.filter((w) => counts.has(w))
    .map((w) => `${counts.get(w)!.toLocaleString('en-US')} ${w}`)
    .join(', ');
}
