// The mbox row's verdict tally (renderer/src/lib/verdict-tally.ts).
import test from 'node:test';
import assert from 'node:assert/strict';
import { tally } from '../renderer/src/lib/verdict-tally.ts';
import type { MessageOutcome } from '../shared/report.ts';

test('the file row tallies an mbox by verdict, in a fixed order, unreadable messages as errors', () => {
  const ok = (verdict: string) => ({ ok: true, summary: { verdict } }) as unknown as MessageOutcome;
  const bad = { ok: false, index: 0, error: { code: 'binary', message: 'x' } } as MessageOutcome;
  const list = [...Array.from({ length: 1990 }, () => ok('pass')), ok('fail'), bad, ok('none'), ok('fail')];
  assert.equal(tally(list), '1,990 pass, 2 fail, 1 none, 1 error');
  assert.equal(tally([]), '');
});
