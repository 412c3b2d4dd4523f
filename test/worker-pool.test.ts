// The engine pool: worker threads give the same reports as the in-process engine, a crashing
// worker fails only its own job and is replaced, and close() ends every worker.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEngine } from '../electron/engine/engine.ts';
import { createEnginePool, MBOX_AHEAD_PER_WORKER, PIPELINE_MAX_BYTES } from '../electron/engine/worker-pool.ts';
import type { DnsSettings } from '../shared/dns.ts';
import type { MessageOutcome } from '../shared/report.ts';
import { repoRoot } from './helpers/paths.ts';
import { exampleZone, makeKey, plainMessage, signMessage } from './helpers/signed-message.ts';
import { startDnsServer } from './helpers/dns-server.ts';

const NOW = new Date('2026-11-24T10:05:00Z');
let dir: string;
let dns: DnsSettings;
const inputs: { name: string; bytes: Buffer }[] = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'authlab-pool-'));
  const key = makeKey('rsa', 2048);
  dns = { offline: true, zones: [{ name: 'example.zone', text: exampleZone('sel1', key) }] };
  const signed = await signMessage(plainMessage(), 'example.com', 'sel1', key);
  const tampered = signed.replace('the figures are attached', 'the figures are NOT attached');
  const unsigned = plainMessage({ from: 'Mallory <m@example.com>', subject: 'Unsigned' });
  const mbox = `From alice@example.com Tue Nov 24 10:00:00 2026\n${signed.replace(/\r\n/g, '\n')}\nFrom x@example.com Tue Nov 24 10:00:00 2026\n${unsigned.replace(/\r\n/g, '\n')}\n`;
  inputs.push(
    { name: 'signed', bytes: Buffer.from(signed) },
    { name: 'tampered body', bytes: Buffer.from(tampered) },
    { name: 'unsigned', bytes: Buffer.from(unsigned) },
    { name: 'mbox', bytes: Buffer.from(mbox) },
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Reports minus DNS timings, the one field that legitimately differs between two runs. */
function comparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === 'ms' && typeof v === 'number' ? undefined : v)));
}

/** An mbox of `count` short unsigned messages; `from(i)` is message i's author (its own domain lets a DNS server see which were evaluated). */
function shortMbox(count: number, from: (i: number) => string = () => 'a@example.com'): Buffer {
  return Buffer.from(
    Array.from({ length: count }, (_, i) => `From s@example.com Tue Nov 24 10:00:00 2026\nFrom: ${from(i)}\nTo: b@example.org\nSubject: ${i}\n\nbody ${i}\n`).join('\n'),
  );
}

test('pool workers give the same reports as the in-process engine', async () => {
  const engine = createEngine({ clock: () => NOW });
  const pool = createEnginePool({ size: 2, clock: () => NOW });
  try {
    const viaPool = await Promise.all(inputs.map((i) => pool.evaluate(Buffer.from(i.bytes), { ip: '192.0.2.10' }, dns)));
    for (const [n, input] of inputs.entries()) {
      const local = await engine.evaluate(input.bytes, { ip: '192.0.2.10' }, dns);
      assert.deepEqual(comparable(viaPool[n]), comparable(local), input.name);
    }
    // the verdicts themselves, so a pool that returned nothing useful could not pass by agreeing
    const first = viaPool[0].messages[0];
    assert.ok(first.ok);
    assert.equal(first.dkim[0].result, 'pass');
    assert.equal(first.dmarc.result, 'pass');
    assert.equal(first.evaluatedAt, NOW.toISOString(), 'the pool clock decides the evaluation time');
    const tampered = viaPool[1].messages[0];
    assert.ok(tampered.ok);
    assert.equal(tampered.dkim[0].result, 'fail');
    assert.equal(viaPool[3].container, 'mbox');
    assert.equal(viaPool[3].messages.length, 2);
  } finally {
    await pool.close();
  }
});

test('large inputs are transferred to the worker, small ones and those asked to be kept are copied', async () => {
  const pool = createEnginePool({ size: 1, clock: () => NOW });
  const keep = createEnginePool({ size: 1, clock: () => NOW, transfer: false });
  try {
    // over PIPELINE_MAX_BYTES, in its own ArrayBuffer: movable
    const big = Buffer.from(plainMessage({ body: 'x'.repeat(76) + '\r\n' }).replace(/(\r\n\r\n)([^]*)$/, (_, sep, body) => sep + body.repeat(Math.ceil((PIPELINE_MAX_BYTES + 1) / body.length))));
    assert.ok(big.byteLength > PIPELINE_MAX_BYTES);
    const owned = new Uint8Array(big);
    const r = await pool.evaluate(owned, {}, dns);
    assert.equal(owned.byteLength, 0, 'the caller no longer holds the bytes: moved, not copied');
    assert.ok(r.messages[0].ok);

    const small = new Uint8Array(inputs[0].bytes);
    const s = await pool.evaluate(small, {}, dns);
    assert.equal(small.byteLength, inputs[0].bytes.byteLength, 'a small input is copied');
    assert.ok(s.messages[0].ok && s.messages[0].dkim[0].result === 'pass');

    const slice = inputs[0].bytes.subarray(0); // a view into a shared buffer: copied, caller keeps it
    await pool.evaluate(slice, {}, dns);
    assert.equal(slice.byteLength, inputs[0].bytes.byteLength);

    const mine = new Uint8Array(big);
    const k = await keep.evaluate(mine, {}, dns);
    assert.equal(mine.byteLength, big.byteLength, 'transfer: false leaves the bytes with the caller');
    assert.ok(k.messages[0].ok);
  } finally {
    await pool.close();
    await keep.close();
  }
});

test('an mbox is spread over the workers a message at a time: the same outcomes, in order, as the engine on the whole mbox', async () => {
  const key = makeKey('rsa', 2048);
  const zoneDns: DnsSettings = { offline: true, zones: [{ name: 'example.zone', text: exampleZone('sel1', key) }] };
  const parts: string[] = [];
  for (let i = 0; i < 14; i++) {
    let msg = await signMessage(plainMessage({ subject: `Message ${i}` }), 'example.com', 'sel1', key);
    if (i === 3) msg = msg.replace('the figures are attached', 'the figures are NOT attached'); // body changed
    if (i === 5) msg = 'binary \u0000\u0001\u0002 junk, not a message\n'; // rejected alone
    if (i === 9) msg = 'no header lines here, only text\n\nand a body\n';
    parts.push(`From sender${i}@example.com Tue Nov 24 10:0${i % 10}:00 2026\n${i % 2 ? msg : msg.replace(/\r\n/g, '\n')}`);
  }
  // a byte-order mark before the first postmark: a note every message of the mbox carries
  const mbox = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(parts.join('\n') + '\n')]);
  const engine = createEngine({ clock: () => NOW });
  const pool = createEnginePool({ size: 2, clock: () => NOW });
  try {
    const local = await engine.evaluate(mbox, { ip: '192.0.2.10' }, zoneDns);
    const viaPool = await pool.evaluate(Buffer.from(mbox), { ip: '192.0.2.10' }, zoneDns);
    assert.equal(local.messages.length, 14);
    assert.deepEqual(comparable(viaPool), comparable(local));
    // and what they agree on is the real thing
    const m = viaPool.messages;
    assert.deepEqual(m.map((x) => x.index), [...Array(14).keys()]);
    assert.ok(m[0].ok && m[0].dkim[0].result === 'pass' && m[0].input.limitations.some((l) => /byte-order mark/.test(l)));
    assert.ok(m[3].ok && m[3].dkim[0].result === 'fail');
    assert.ok(!m[5].ok && m[5].error.code === 'binary');
    assert.ok(!m[9].ok && m[9].error.code === 'no-headers');
    // one evaluation time for the whole mbox, with or without a pool clock
    const clockless = createEnginePool({ size: 2 });
    try {
      const r = await clockless.evaluate(Buffer.from(mbox), {}, zoneDns);
      assert.equal(new Set(r.messages.flatMap((x) => (x.ok ? [x.evaluatedAt] : []))).size, 1);
    } finally {
      await clockless.close();
    }
    // message by message, handed over in mbox order (the CLI prints each as it comes)
    const each: MessageOutcome[] = [];
    assert.equal(await pool.evaluateEach(Buffer.from(mbox), { ip: '192.0.2.10' }, zoneDns, (o) => each.push(o)), 'mbox');
    assert.deepEqual(comparable(each), comparable(local.messages));
    const single: MessageOutcome[] = [];
    assert.equal(await pool.evaluateEach(Buffer.from(inputs[0].bytes), {}, dns, (o) => single.push(o)), 'message');
    assert.equal(single.length, 1);
    assert.ok(single[0].ok && single[0].dkim[0].result === 'pass');
    // a problem of the whole input (a zone that does not parse) rejects it whole, as the engine does
    const badZone = { offline: true, zones: [{ name: 'bad.zone', text: 'example.com. IN TXT "unterminated' }] };
    await assert.rejects(engine.evaluate(mbox, {}, badZone), (err: Error & { code?: string }) => err.code === 'bad-zone');
    await assert.rejects(pool.evaluate(Buffer.from(mbox), {}, badZone), (err: Error & { code?: string }) => err.code === 'bad-zone');
    const handed: MessageOutcome[] = [];
    await assert.rejects(pool.evaluateEach(Buffer.from(mbox), {}, badZone, (o) => handed.push(o)), (err: Error & { code?: string }) => err.code === 'bad-zone');
    assert.deepEqual(handed, [], 'nothing is handed over before a reject of the whole input found at the first message');
    // --hop 1 fits a message with a Received header, not one without: the first is handed over,
    // then the whole input is rejected, as the engine's evaluateEach does
    const withHop = plainMessage({ subject: 'has a hop' }).replace(/\r\n/g, '\n');
    const noHop = plainMessage({ subject: 'no hop' }).replace(/^Received:[^]*?\n(?=Return-Path)/, '').replace(/\r\n/g, '\n');
    assert.notEqual(noHop, withHop.replace('has a hop', 'no hop'), 'the second message lost its Received header');
    const hops = Buffer.from(`From a@example.com Tue Nov 24 10:00:00 2026\n${withHop}\nFrom b@example.com Tue Nov 24 10:00:00 2026\n${noHop}\n`);
    const got: string[] = [];
    await assert.rejects(pool.evaluateEach(hops, { hop: 1 }, { offline: true }, (o) => got.push(o.ok ? o.input.index + '' : 'error')), /no Received headers/);
    assert.deepEqual(got, ['0']);
  } finally {
    await pool.close();
  }
});

test('an mbox given up on (here a caller that stops taking messages; a reject of the whole input takes the same path) leaves no queued message running', async () => {
  // every message has a From domain of its own, so the DNS server sees which were evaluated. The
  // workers answer chunks in no set order, so many messages may be done or posted before the
  // first is handed over (80 to 150 in runs here): the mbox is long enough that most are still queued
  const count = 1000;
  const mbox = shortMbox(count, (i) => `a@d${i}.example`);
  const server = await startDnsServer();
  const pool = createEnginePool({ size: 2, clock: () => NOW });
  try {
    await pool.ready();
    const live: DnsSettings = { servers: [server.server] };
    const asked = (i: number) => server.queries.some((q) => q.name === `_dmarc.d${i}.example`);
    const stop = new Error('enough');
    await assert.rejects(
      pool.evaluateEach(mbox, { ip: '192.0.2.1' }, live, () => {
        throw stop;
      }),
      (err) => err === stop,
    );
    // the pool lives on, and its queue is first in, first out: once this later job is answered,
    // whatever was still queued for the mbox would have run
    const after = await pool.evaluate(Buffer.from('From: x@after.example\nTo: y@example.org\nSubject: after\n\nbody\n'), { ip: '192.0.2.1' }, live);
    assert.ok(after.messages[0]!.ok);
    const reached = Array.from({ length: count }, (_, i) => i).filter(asked).length;
    assert.ok(asked(0));
    assert.ok(reached < count / 2, `the rest of the mbox was withdrawn (${reached} of ${count} evaluated)`);
    assert.ok(!asked(count - 1));
  } finally {
    await pool.close();
    await server.close();
  }
});

test('an mbox goes to the workers a window at a time: a slow message does not let the rest run far ahead', async () => {
  // The first message's DMARC query goes unanswered until its timeout. Meanwhile the workers go on
  // with what they were given; submitted all at once, a whole mbox would be evaluated (and every
  // report held) behind the one the caller waits for.
  const count = 1000;
  const mbox = shortMbox(count, (i) => `a@d${i}.example`);
  const server = await startDnsServer({ behaviours: { '_dmarc.d0.example': 'drop' } });
  const pool = createEnginePool({ size: 2, clock: () => NOW });
  try {
    await pool.ready();
    const live: DnsSettings = { servers: [server.server], timeoutMs: 2000, tries: 1 };
    const ahead = pool.size * MBOX_AHEAD_PER_WORKER;
    const reached = () => new Set(server.queries.map((q) => /^_dmarc\.d(\d+)\.example$/.exec(q.name)?.[1]).filter((d) => d !== undefined)).size;
    let atFirst = -1;
    let handed = 0;
    await pool.evaluateEach(mbox, { ip: '192.0.2.1' }, live, (o) => {
      if (handed++ === 0) {
        atFirst = reached();
        assert.ok(o.ok && o.dmarc.result === 'temperror', 'the first message waited for its DMARC query to time out');
      }
    });
    assert.equal(handed, count);
    assert.ok(atFirst >= 1 && atFirst <= ahead, `${atFirst} messages were evaluated while the first waited (at most ${ahead} are given out ahead)`);
  } finally {
    await pool.close();
    await server.close();
  }
});

test('closing the pool in the middle of an mbox ends the run with pool-closed, not a wait', async () => {
  const count = 1000;
  const mbox = shortMbox(count);
  const pool = createEnginePool({ size: 2, clock: () => NOW });
  let handed = 0;
  let closing: Promise<void> | undefined;
  await assert.rejects(
    pool.evaluateEach(mbox, { ip: '192.0.2.1' }, { offline: true }, () => {
      if (++handed === 5) closing = pool.close();
    }),
    (err: Error & { code?: string }) => err.code === 'pool-closed',
  );
  await closing;
  assert.ok(handed >= 5 && handed < count, `${handed} messages were handed over before the close`);
  await assert.rejects(pool.evaluateEach(mbox, {}, { offline: true }, () => {}), (err: Error & { code?: string }) => err.code === 'pool-closed');
});

test('an mbox handed over message by message keeps no outcome once it is handed over', async () => {
  // evaluateEach exists so that a large mbox's reports are never all held at once (the CLI prints
  // and drops each). Outcomes handed over early must be collectable while later ones still come.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const count = 60;
  const mbox = shortMbox(count);
  const pool = createEnginePool({ size: 2, clock: () => NOW });
  try {
    const early: WeakRef<MessageOutcome>[] = [];
    let kept = -1;
    let handed = 0;
    await pool.evaluateEach(mbox, { ip: '192.0.2.1' }, { offline: true }, (o) => {
      handed++;
      if (early.length < 10) early.push(new WeakRef(o));
      // the last message comes in a later turn than the first ten (other chunks, other posts)
      if (handed === count) {
        gc();
        kept = early.filter((r) => r.deref() !== undefined).length;
      }
    });
    assert.equal(handed, count);
    assert.equal(kept, 0, `${kept} of the first 10 outcomes were still held when the last was handed over`);
  } finally {
    await pool.close();
  }
});

test('input errors keep their code across the thread boundary', async () => {
  const pool = createEnginePool({ size: 1 });
  try {
    await assert.rejects(pool.evaluate(new Uint8Array(0), {}, dns), (err: Error & { code?: string }) => err.code === 'empty' && /empty/.test(err.message));
    const badZone = { offline: true, zones: [{ name: 'bad.zone', text: 'example.com. IN TXT "unterminated' }] };
    await assert.rejects(pool.evaluate(Buffer.from(inputs[0].bytes), {}, badZone), (err: Error & { code?: string }) => err.code === 'bad-zone');
  } finally {
    await pool.close();
  }
});

test('a crashing worker fails only its own job and is replaced', async () => {
  // The real job loop over an engine that dies, when it starts a message with a marker, the way
  // a native crash or an out-of-memory would: one by an uncaught exception, one by exit().
  const entry = path.join(dir, 'crashy-worker.ts');
  const module = (p: string) => JSON.stringify(pathToFileURL(path.join(repoRoot, p)).href);
  writeFileSync(
    entry,
    [
      "import { parentPort } from 'node:worker_threads';",
      `import { createEngine } from ${module('electron/engine/engine.ts')};`,
      `import { serveJobs } from ${module('electron/engine/worker-jobs.ts')};`,
      'const engine = createEngine();',
      // the largest chunk of jobs this worker was posted, stamped on its results
      'let largestChunk = 0;',
      'parentPort!.on("message", (c: { jobs?: unknown[] }) => { largestChunk = Math.max(largestChunk, c.jobs?.length ?? 0); });',
      'serveJobs(parentPort!, {',
      '  evaluate(bytes: Uint8Array, opts: object, dns: object) {',
      '    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");',
      '    if (text.includes("X-Crash: throw")) setImmediate(() => { throw new Error("simulated engine crash"); });',
      '    if (text.includes("X-Crash: exit")) process.exit(7);',
      '    return text.includes("X-Crash") ? new Promise(() => {}) : engine.evaluate(bytes, opts, dns).then((r) => Object.assign(r, { largestChunk }));',
      '  },',
      '} as never);',
    ].join('\n'),
  );
  const pool = createEnginePool({ size: 2, clock: () => NOW, entry: pathToFileURL(entry) });
  try {
    const good = () => pool.evaluate(Buffer.from(inputs[0].bytes), {}, dns);
    const crash = (how: string) => pool.evaluate(Buffer.from(plainMessage({ extraHeaders: [`X-Crash: ${how}`] })), {}, dns);
    const settled = await Promise.allSettled([good(), crash('throw'), good(), crash('exit'), good(), good()]);
    const states = settled.map((s) => s.status);
    assert.deepEqual(states, ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const thrown = (settled[1] as PromiseRejectedResult).reason as Error & { code?: string };
    assert.equal(thrown.code, 'worker-crashed');
    assert.match(thrown.message, /crashed \(Error: simulated engine crash\)/);
    const exited = (settled[3] as PromiseRejectedResult).reason as Error & { code?: string };
    assert.equal(exited.code, 'worker-crashed');
    assert.match(exited.message, /exit code 7/);
    for (const s of settled) if (s.status === 'fulfilled') assert.equal(s.value.messages[0].ok && s.value.messages[0].dkim[0].result, 'pass');
    // the replacements work
    const after = await good();
    assert.ok(after.messages[0].ok);
    assert.equal(pool.size, 2);
  } finally {
    await pool.close();
  }
});

test('a job waiting in a worker behind one that crashes is sent again, not lost', async () => {
  const pool = createEnginePool({ size: 1, clock: () => NOW, entry: pathToFileURL(path.join(dir, 'crashy-worker.ts')) });
  try {
    const crash = pool.evaluate(Buffer.from(plainMessage({ extraHeaders: ['X-Crash: exit'] })), {}, dns);
    // one worker: these two are posted to it while it holds the crashing job
    const behind = [pool.evaluate(Buffer.from(inputs[0].bytes), {}, dns), pool.evaluate(Buffer.from(inputs[1].bytes), {}, dns)];
    const settled = await Promise.allSettled([crash, ...behind]);
    assert.equal(settled[0].status, 'rejected');
    assert.equal(((settled[0] as PromiseRejectedResult).reason as { code?: string }).code, 'worker-crashed');
    const [a, b] = settled.slice(1).map((r) => (r.status === 'fulfilled' ? r.value.messages[0] : undefined));
    assert.ok(a?.ok && b?.ok, 'both waiting jobs were evaluated by the replacement');
    assert.equal(a.dkim[0].result, 'pass');
    assert.equal(b.dkim[0].result, 'fail', 'each answer went to its own job');
  } finally {
    await pool.close();
  }
});

test('jobs submitted together share a post; a crash inside a chunk fails only the job that crashed', async () => {
  const pool = createEnginePool({ size: 1, clock: () => NOW, entry: pathToFileURL(path.join(dir, 'crashy-worker.ts')) });
  try {
    // eight at once to one worker: posted as chunks of four, the crash in the first chunk
    const kinds = ['signed', 'tampered', 'signed', 'crash', 'tampered', 'signed', 'signed', 'tampered'];
    const bytes = (k: string) => (k === 'crash' ? Buffer.from(plainMessage({ extraHeaders: ['X-Crash: exit'] })) : Buffer.from(k === 'signed' ? inputs[0].bytes : inputs[1].bytes));
    const settled = await Promise.allSettled(kinds.map((k) => pool.evaluate(bytes(k), {}, dns)));
    assert.deepEqual(
      settled.map((s) => (s.status === 'rejected' ? (s.reason as { code?: string }).code : s.value.messages[0].ok && s.value.messages[0].dkim[0].result)),
      kinds.map((k) => (k === 'crash' ? 'worker-crashed' : k === 'signed' ? 'pass' : 'fail')),
      'each answer went to its own job, and only the crashing job failed',
    );
    const chunks = settled.map((s) => (s.status === 'fulfilled' ? (s.value as { largestChunk?: number }).largestChunk ?? 0 : 0));
    assert.ok(Math.max(...chunks) >= 2, `the jobs were posted in chunks (largest ${Math.max(...chunks)})`);
  } finally {
    await pool.close();
  }
});

test('a worker that cannot start fails the queued jobs instead of respawning forever', async () => {
  const entry = path.join(dir, 'broken-worker.ts');
  writeFileSync(entry, 'throw new Error("cannot load the engine");\n');
  const pool = createEnginePool({ size: 1, entry: pathToFileURL(entry) });
  try {
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => pool.evaluate(Buffer.from(inputs[0].bytes), {}, dns)));
    assert.ok(results.every((r) => r.status === 'rejected'));
    const last = (results[3] as PromiseRejectedResult).reason as Error & { code?: string };
    assert.equal(last.code, 'pool-broken');
    assert.match(last.message, /cannot load the engine/);
  } finally {
    await pool.close();
  }
});

test('close() ends the workers and rejects what was not finished', async () => {
  // each worker is an OS thread: on Linux /proc/self/task lists them
  const threads = () => (existsSync('/proc/self/task') ? readdirSync('/proc/self/task').length : undefined);
  const before = threads();
  const pool = createEnginePool({ size: 2 });
  await pool.ready();
  const running = threads();
  await Promise.all([0, 1].map(() => pool.evaluate(Buffer.from(inputs[0].bytes), {}, dns)));
  const pending = Promise.allSettled([0, 1, 2, 3].map(() => pool.evaluate(Buffer.from(inputs[0].bytes), {}, dns)));
  await pool.close();
  const settled = await pending;
  for (const s of settled) {
    if (s.status === 'rejected') assert.equal((s.reason as { code?: string }).code, 'pool-closed');
  }
  assert.ok(settled.some((s) => s.status === 'rejected'), 'queued jobs are not silently dropped');
  await assert.rejects(pool.evaluate(Buffer.from(inputs[0].bytes), {}, dns), (e: { code?: string }) => e.code === 'pool-closed');
  if (before !== undefined && running !== undefined) {
    assert.ok(running >= before + 2, `two worker threads started (${before} → ${running})`);
    assert.ok(threads()! <= running - 2, `the worker threads are gone after close() (${running} → ${threads()})`);
  }
});
