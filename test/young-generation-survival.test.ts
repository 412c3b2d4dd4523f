// A message must not outlive its evaluation in the young generation. V8 allocates a function
// literal assigned to a property, and a getter in an object literal, in the old generation: what
// such a closure refers to survives every scavenge and is promoted until a full GC, and a batch
// pays for copying and collecting it. mailauth's DKIM verifier is a Node Writable, whose
// WritableState holds such a closure (fast-verifier.ts, releaseSpent); the per-message DNS memo
// had such a getter (memo-resolver.ts). Promoted per scavenge on 10 KB messages: 3.5 MB before
// both, 49 KB after.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fastDkimVerify } from '../electron/engine/dkim/fast-verifier.ts';
import { memoize } from '../electron/engine/dns/memo-resolver.ts';
import type { Resolver } from '../electron/engine/dns/resolver.ts';

/**
 * The bytes `run` leaves that a young-generation GC keeps and a full GC then frees: what garbage
 * in the old generation held on to. `run` goes once to warm up, then once measured.
 */
async function keptUntilFullGc(run: () => Promise<void>): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;
  const used = () => getHeapStatistics().used_heap_size;
  await run();
  gc({ type: 'major' });
  gc({ type: 'major' });
  const before = used();
  await run();
  gc({ type: 'minor' });
  const survived = used() - before;
  gc({ type: 'major' });
  return survived - (used() - before);
}

test('a spent DKIM verifier keeps nothing of its message through a young-generation GC', async () => {
  const offline = async (name: string) => {
    throw Object.assign(new Error(`${name}: NXDOMAIN`), { code: 'ENOTFOUND' });
  };
  // what the verifier parses and holds is the header section: make it the bulk of each message
  const count = 100;
  const messages = Array.from({ length: count }, (_, i) => {
    const fields = Array.from({ length: 200 }, (_, j) => `X-Filler-${j}: message ${i} field ${j} ${'x'.repeat(80)}\r\n`).join('');
    return Buffer.from(
      `From: a@example.com\r\nTo: b@example.org\r\nSubject: ${i}\r\n` +
        `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel; h=from:to:subject; bh=${'A'.repeat(43)}=; b=${'B'.repeat(340)}\r\n` +
        `${fields}\r\nbody ${i}\r\n`,
    );
  });
  const headerBytes = messages.reduce((n, m) => n + m.indexOf('\r\n\r\n'), 0);
  // what a full GC frees but a scavenge kept is what the spent verifiers held on to
  const held = await keptUntilFullGc(async () => {
    for (const m of messages) {
      const result = await fastDkimVerify(m, { resolver: offline } as never);
      assert.equal((result.results as { status: { result: string } }[])[0]?.status.result, 'neutral'); // no key: nothing to verify against
    }
  });
  assert.ok(
    held < headerBytes / 4,
    `${(held / 1024).toFixed(0)} KB survived a young-generation GC for ${count} messages with ${(headerBytes / 1024).toFixed(0)} KB of header fields`,
  );
});

test('a per-message DNS memo keeps nothing of its message through a young-generation GC', async () => {
  const count = 100;
  const entryBytes = 20_000;
  // the layer under the memo holds the message's query log, as the recorder does
  const layer = (i: number): Resolver & { log: string[] } => ({
    log: Array.from({ length: 20 }, (_, j) => `${i}.${j} ${'x'.repeat(entryBytes / 20)}`),
    async query() {
      return { rcode: 'NXDOMAIN', records: [], source: 'zone' };
    },
  });
  const one = async (i: number) => {
    const memo = memoize(layer(i));
    await memo.query('example.com', 'TXT');
    assert.equal((memo.log as string[]).length, 20);
  };
  const held = await keptUntilFullGc(async () => {
    for (let i = 0; i < count; i++) await one(i);
  });
  assert.ok(
    held < (count * entryBytes) / 4,
    `${(held / 1024).toFixed(0)} KB survived a young-generation GC for ${count} memos over ${((count * entryBytes) / 1024).toFixed(0)} KB of query logs`,
  );
});
