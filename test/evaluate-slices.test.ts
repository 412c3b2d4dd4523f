// The page's slice-by-slice evaluation of a large mbox (renderer/src/lib/evaluate-slices.ts).
import test from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_SLICE, MAX_SLICE, SLICE_TARGET_MS, evaluateInSlices, nextSliceCount } from '../renderer/src/lib/evaluate-slices.ts';
import type { EvaluationResult, MessageSlice } from '../shared/ipc/contract.ts';
import type { MessageOutcome } from '../shared/report.ts';

const outcome = (index: number, evaluatedAt = '2026-11-24T10:05:00.000Z'): MessageOutcome =>
  index % 7 === 3 ? { ok: false, index, error: { code: 'binary', message: 'binary junk' } } : ({ ok: true, index, evaluatedAt } as unknown as MessageOutcome);

/** A host holding `total` messages: answers slices as services.evaluate does, keeping the input by reference. */
function fakeHost(total: number, opts: { expireAfterCalls?: number; failAtCall?: number; msPerMessage?: number } = {}) {
  const calls: { slice: MessageSlice; at?: string; inputRef?: string }[] = [];
  let clock = 0;
  let held: string | undefined;
  return {
    calls,
    now: () => clock,
    async request(slice: MessageSlice, at: string | undefined, inputRef: string | undefined): Promise<EvaluationResult> {
      calls.push({ slice, at, inputRef });
      if (opts.failAtCall === calls.length) throw Object.assign(new Error('host went away'), { code: 'internal' });
      if (inputRef !== undefined && (inputRef !== held || opts.expireAfterCalls === calls.length - 1)) {
        held = undefined;
        throw Object.assign(new Error('expired'), { code: 'input-expired' });
      }
      const messages = Array.from({ length: Math.max(0, Math.min(slice.count, total - slice.start)) }, (_, i) => outcome(slice.start + i, at));
      clock += 1 + messages.length * (opts.msPerMessage ?? 2);
      const more = slice.start + messages.length < total;
      held = more ? (held ?? `ref${calls.length}`) : undefined;
      return { container: total > 1 ? 'mbox' : 'message', messages, slice: { start: slice.start, total }, ...(more ? { inputRef: held } : {}) };
    },
  };
}

test('every message once, in order; later slices pinned to the first time and sent by reference', async () => {
  const host = fakeHost(1000);
  const progress: [number, number][] = [];
  const res = await evaluateInSlices({ request: host.request, stale: () => false, onProgress: (s, t) => progress.push([s.messages.length, t]), now: host.now });
  assert.ok(res);
  assert.deepEqual(res.messages.map((m) => m.index), Array.from({ length: 1000 }, (_, i) => i));
  assert.equal(res.slice, undefined, 'the whole result, as one evaluate() gives it');
  assert.equal(host.calls[0]!.slice.count, FIRST_SLICE);
  assert.equal(host.calls[0]!.inputRef, undefined, 'the bytes go with the first call');
  assert.ok(host.calls.length > 2, `${host.calls.length} calls`);
  for (const c of host.calls.slice(1)) {
    assert.equal(c.at, '2026-11-24T10:05:00.000Z');
    assert.equal(c.inputRef, 'ref1');
  }
  assert.deepEqual(progress.at(-1)![1], 1000);
  assert.ok(progress.every(([done], i) => i === 0 || done > progress[i - 1]![0]), 'progress only grows');
  // at 2 ms a message, a slice of SLICE_TARGET_MS holds about SLICE_TARGET_MS / 2 messages
  const expected = SLICE_TARGET_MS / 2;
  assert.ok(Math.abs(host.calls[2]!.slice.count - expected) < expected * 0.3, `slice of ${host.calls[2]!.slice.count}`);
});

test('a single message is one call; an expired input is sent again; a failure keeps what came before', async () => {
  const one = fakeHost(1);
  const res = await evaluateInSlices({ request: one.request, stale: () => false, onProgress: () => assert.fail('no progress for one message'), now: one.now });
  assert.equal(res?.messages.length, 1);
  assert.equal(one.calls.length, 1);

  const expiring = fakeHost(300, { expireAfterCalls: 2, msPerMessage: 20 });
  const again = await evaluateInSlices({ request: expiring.request, stale: () => false, onProgress: () => {}, now: expiring.now });
  assert.deepEqual(again?.messages.map((m) => m.index), Array.from({ length: 300 }, (_, i) => i));
  const retried = expiring.calls.findIndex((c, i) => i > 0 && c.inputRef === undefined);
  assert.ok(retried > 0, 'the bytes were sent again after input-expired');
  assert.deepEqual(expiring.calls[retried]!.slice, expiring.calls[retried - 1]!.slice, 'for the same slice');

  const failing = fakeHost(300, { failAtCall: 3, msPerMessage: 20 });
  await assert.rejects(
    evaluateInSlices({ request: failing.request, stale: () => false, onProgress: () => {}, now: failing.now }),
    (err: { message: string; partial?: EvaluationResult }) => err.message === 'host went away' && err.partial !== undefined && err.partial.messages.length > FIRST_SLICE,
  );
});

test('a run that went stale stops asking and reports nothing', async () => {
  const host = fakeHost(1000);
  let stale = false;
  const res = await evaluateInSlices({
    request: host.request,
    stale: () => stale,
    onProgress: () => {
      stale = true; // a newer evaluation of the same file started
    },
    now: host.now,
  });
  assert.equal(res, undefined);
  assert.equal(host.calls.length, 2);
});

test('slice sizes stay within bounds', () => {
  assert.equal(nextSliceCount(25, 0), MAX_SLICE);
  assert.equal(nextSliceCount(25, 100_000), FIRST_SLICE);
  assert.equal(nextSliceCount(100, 100), SLICE_TARGET_MS, 'a message a millisecond');
});
