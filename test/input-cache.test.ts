// Inputs evaluated slice by slice are kept by the host and named by reference
// (electron/services/input-cache.ts, services.evaluate), through the real dispatch and engine.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInputCache } from '../electron/services/input-cache.ts';
import { createServices } from '../electron/services/services.ts';
import { dispatch } from '../electron/services/dispatch.ts';
import { createEngine } from '../electron/engine/engine.ts';
import type { EvaluationResult } from '../shared/ipc/contract.ts';

test('the cache: least recently used go first, by count and by bytes; idle entries expire', () => {
  let t = 0;
  const c = createInputCache({ maxBytes: 100, maxEntries: 3, idleMs: 1000 }, () => t);
  const a = c.put(new Uint8Array(40));
  const b = c.put(new Uint8Array(40));
  assert.equal(c.get(a)?.length, 40, 'a is now the most recent');
  const d = c.put(new Uint8Array(40)); // over 100 bytes: b (least recent) goes
  assert.deepEqual([c.get(b), c.get(a)?.length, c.get(d)?.length], [undefined, 40, 40]);
  const e = c.put(new Uint8Array(10));
  const f = c.put(new Uint8Array(10)); // a fourth entry: the least recent (a) goes
  assert.deepEqual([c.get(a), c.size], [undefined, 3]);
  const huge = c.put(new Uint8Array(101));
  assert.equal(c.get(huge), undefined, 'larger than the whole cache: never held');
  assert.equal(c.size, 3, 'and nothing evicted for it');
  t = 1500;
  assert.equal(c.get(e), undefined, 'idle too long');
  assert.equal(c.size, 0);
  assert.match(f, /^[A-Za-z0-9_-]{22}$/, 'a random reference');
});

test('services: the first slice sends the bytes, later ones the reference; the last slice lets the input go', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-input-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = createServices({ engine: createEngine({ clock: () => new Date('2026-11-24T10:05:00Z') }), dataDir: dir });
  const mbox = Array.from({ length: 5 }, (_, i) => `From a@example.com Tue Nov 24 10:00:00 2026\nFrom: a@example.com\nSubject: m${i}\n\nbody ${i}\n`).join('');
  const call = async (req: unknown) => {
    const env = await dispatch(s, 'evaluate', req);
    if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code });
    return env.value as EvaluationResult;
  };
  const base = { options: {}, dns: { offline: true } };
  const first = await call({ ...base, messageBase64: Buffer.from(mbox).toString('base64'), slice: { start: 0, count: 2 } });
  assert.deepEqual([first.messages.length, first.slice], [2, { start: 0, total: 5 }]);
  assert.ok(first.inputRef, 'messages remain: the input is kept');
  const second = await call({ ...base, inputRef: first.inputRef, slice: { start: 2, count: 2 } });
  assert.deepEqual([second.messages.map((m) => m.index), second.inputRef], [[2, 3], first.inputRef]);
  const last = await call({ ...base, inputRef: first.inputRef, slice: { start: 4, count: 2 } });
  assert.deepEqual([last.messages.map((m) => m.index), last.inputRef], [[4], undefined]);
  await assert.rejects(call({ ...base, inputRef: first.inputRef, slice: { start: 4, count: 2 } }), { code: 'input-expired' });
  await assert.rejects(call({ ...base, inputRef: 'never-given', slice: { start: 0, count: 2 } }), { code: 'input-expired' });
  await assert.rejects(call({ ...base, inputRef: first.inputRef, messageBase64: 'AAAA', slice: { start: 0, count: 1 } }), { code: 'invalid-request' });
  await assert.rejects(call({ ...base, inputRef: first.inputRef }), /inputRef: is only for a slice/);
  // all in one slice: nothing is kept
  const whole = await call({ ...base, messageBase64: Buffer.from(mbox).toString('base64'), slice: { start: 0, count: 10 } });
  assert.deepEqual([whole.messages.length, whole.inputRef], [5, undefined]);
});
