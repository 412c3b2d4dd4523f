// A verified message must not outlive its evaluation in the young generation. mailauth's DKIM
// verifier is a Node Writable, and Node's WritableState holds a closure that V8 allocates in the
// old generation (fast-verifier.ts, releaseSpent): unless the spent verifier is emptied, every
// message's parsed headers survive each scavenge and are promoted, and a batch pays for copying
// and collecting them (promoted bytes per scavenge on 10 KB messages: 3.5 MB before, 1.2 MB after).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fastDkimVerify } from '../electron/engine/dkim/fast-verifier.ts';

test('a spent DKIM verifier keeps nothing of its message through a young-generation GC', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;
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
  for (const m of messages) await fastDkimVerify(m, { resolver: offline } as never); // warm up

  const used = () => getHeapStatistics().used_heap_size;
  gc({ type: 'major' });
  gc({ type: 'major' });
  const before = used();
  for (const m of messages) {
    const result = await fastDkimVerify(m, { resolver: offline } as never);
    assert.equal((result.results as { status: { result: string } }[])[0]?.status.result, 'neutral'); // no key: nothing to verify against
  }
  gc({ type: 'minor' });
  const survived = used() - before;
  gc({ type: 'major' });
  const kept = used() - before;
  // what a full GC frees but a scavenge kept is what the spent verifiers held on to
  assert.ok(
    survived - kept < headerBytes / 4,
    `${((survived - kept) / 1024).toFixed(0)} KB survived a young-generation GC for ${count} messages with ${(headerBytes / 1024).toFixed(0)} KB of header fields`,
  );
});
