// engine.evaluateEach: the outcomes evaluate() gives, handed over one by one as each is made (the
// CLI prints and drops them, so a large mbox's reports are never all in memory).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../electron/engine/engine.ts';
import type { Resolver } from '../electron/engine/dns/resolver.ts';
import type { DnsSettings } from '../shared/dns.ts';
import type { MessageOutcome } from '../shared/report.ts';
import { exampleZone, makeKey, plainMessage, signMessage } from './helpers/signed-message.ts';

const NOW = new Date('2026-11-24T10:05:00Z');
const comparable = (value: unknown) => JSON.parse(JSON.stringify(value, (k, v) => (k === 'ms' && typeof v === 'number' ? undefined : v)));

async function mixedMbox(n: number, sender = (i: number) => `bounces@example.com`) {
  const key = makeKey('rsa', 2048);
  const dns: DnsSettings = { offline: true, zones: [{ name: 'example.zone', text: exampleZone('sel1', key) }] };
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let msg = await signMessage(plainMessage({ subject: `Message ${i}` }).replace('<bounces@example.com>', `<${sender(i)}>`), 'example.com', 'sel1', key);
    if (i === 3) msg = msg.replace('the figures are attached', 'the figures are NOT attached');
    if (i === 5) msg = 'binary \u0000\u0001\u0002 junk, not a message\n';
    parts.push(`From sender${i}@example.com Tue Nov 24 10:00:00 2026\n${i % 2 ? msg : msg.replace(/\r\n/g, '\n')}`);
  }
  return { mbox: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(parts.join('\n') + '\n')]), dns };
}

test('the same outcomes as evaluate(), in order, at one evaluation time; a single message too', async () => {
  const { mbox, dns } = await mixedMbox(8);
  const engine = createEngine({ clock: () => NOW });
  const whole = await engine.evaluate(mbox, { ip: '192.0.2.10' }, dns);
  const each: MessageOutcome[] = [];
  assert.equal(await engine.evaluateEach(mbox, { ip: '192.0.2.10' }, dns, (m) => each.push(m)), 'mbox');
  assert.equal(each.length, 8);
  assert.deepEqual(comparable(each), comparable(whole.messages));
  assert.ok(each[3].ok && each[3].dkim[0].result === 'fail');
  assert.ok(!each[5].ok && each[5].error.code === 'binary');

  // no clock given: every message still carries one time
  const times = new Set<string>();
  await createEngine().evaluateEach(mbox, {}, dns, (m) => m.ok && times.add(m.evaluatedAt));
  assert.equal(times.size, 1);

  const single = Buffer.from(await signMessage(plainMessage(), 'example.com', 'sel1', makeKey('rsa', 2048)));
  const one: MessageOutcome[] = [];
  assert.equal(await engine.evaluateEach(single, { ip: '192.0.2.10' }, { offline: true }, (m) => one.push(m)), 'message');
  assert.deepEqual(comparable(one), comparable((await engine.evaluate(single, { ip: '192.0.2.10' }, { offline: true })).messages));
});

test('each outcome is handed over before the next message is evaluated', async () => {
  // every message has its own MAIL FROM domain, so its SPF lookup shows when it is evaluated
  const { mbox, dns } = await mixedMbox(6, (i) => `bounces@sender${i}.example`);
  const asked: string[] = [];
  const live: Resolver = {
    async query(name) {
      asked.push(name.toLowerCase());
      return { rcode: 'NXDOMAIN', records: [], source: 'live' };
    },
  };
  const engine = createEngine({ clock: () => NOW, live: () => live });
  const seenAtHandover: string[][] = [];
  await engine.evaluateEach(mbox, { ip: '192.0.2.10' }, { zones: dns.zones }, (m) => {
    seenAtHandover.push([...new Set(asked.filter((n) => /^sender\d\.example$/.test(n)))]);
    assert.ok(m.index >= 0);
  });
  // message 5 is junk (no lookup); the others were asked about their own domain and no later one
  assert.deepEqual(seenAtHandover, [
    ['sender0.example'],
    ['sender0.example', 'sender1.example'],
    ['sender0.example', 'sender1.example', 'sender2.example'],
    ['sender0.example', 'sender1.example', 'sender2.example', 'sender3.example'],
    ['sender0.example', 'sender1.example', 'sender2.example', 'sender3.example', 'sender4.example'],
    ['sender0.example', 'sender1.example', 'sender2.example', 'sender3.example', 'sender4.example'],
  ]);
});

test('a reject of the whole input: before any outcome when every message has it, after the earlier ones otherwise', async () => {
  const { mbox } = await mixedMbox(4);
  const engine = createEngine({ clock: () => NOW });
  const got: MessageOutcome[] = [];
  const badZone = { offline: true, zones: [{ name: 'bad.zone', text: 'example.com. IN TXT "unterminated' }] };
  await assert.rejects(engine.evaluateEach(mbox, {}, badZone, (m) => got.push(m)), (err: Error & { code?: string }) => err.code === 'bad-zone');
  assert.equal(got.length, 0);
  await assert.rejects(engine.evaluateEach(Buffer.alloc(0), {}, {}, (m) => got.push(m)), (err: Error & { code?: string }) => err.code === 'empty');

  // --hop 1 fits a message with a Received header, not one without: the first is handed over
  const withHop = plainMessage({ subject: 'has a hop' }).replace(/\r\n/g, '\n');
  const noHop = plainMessage({ subject: 'no hop' }).replace(/^Received:[^]*?\n(?=Return-Path)/, '').replace(/\r\n/g, '\n');
  assert.doesNotMatch(noHop, /^Received:/m);
  const hops = Buffer.from(`From a@example.com Tue Nov 24 10:00:00 2026\n${withHop}\nFrom b@example.com Tue Nov 24 10:00:00 2026\n${noHop}\n`);
  await assert.rejects(engine.evaluate(hops, { hop: 1 }, { offline: true }), (err: Error & { code?: string }) => err.code === 'bad-envelope');
  await assert.rejects(engine.evaluateEach(hops, { hop: 1 }, { offline: true }, (m) => got.push(m)), /no Received headers/);
  assert.deepEqual(
    got.map((m) => m.ok && m.input.subject),
    ['has a hop'],
  );
});

test('a slice: the outcomes evaluate() gives for those positions, with how many the input holds', async () => {
  const { mbox, dns } = await mixedMbox(8);
  const engine = createEngine({ clock: () => NOW });
  const opts = { ip: '192.0.2.10' };
  const whole = await engine.evaluate(mbox, opts, dns);
  assert.equal(whole.slice, undefined, 'no slice asked, none said');
  const first = await engine.evaluate(mbox, opts, dns, { start: 0, count: 3 });
  const rest = await engine.evaluate(mbox, opts, dns, { start: 3, count: 100 });
  assert.deepEqual(first.slice, { start: 0, total: 8 });
  assert.deepEqual(rest.slice, { start: 3, total: 8 });
  assert.equal(first.container, 'mbox');
  assert.deepEqual(comparable([...first.messages, ...rest.messages]), comparable(whole.messages));
  assert.deepEqual(
    rest.messages.map((m) => m.index),
    [3, 4, 5, 6, 7],
  );
  assert.ok(!rest.messages[2].ok && rest.messages[2].error.code === 'binary', 'a bad message inside a slice is its own error');
  const beyond = await engine.evaluate(mbox, opts, dns, { start: 8, count: 5 });
  assert.deepEqual([beyond.messages.length, beyond.slice], [0, { start: 8, total: 8 }]);

  // without a clock or `at`, one slice's messages share one evaluation time
  const times = new Set((await createEngine().evaluate(mbox, {}, dns, { start: 0, count: 8 })).messages.flatMap((m) => (m.ok ? [m.evaluatedAt] : [])));
  assert.equal(times.size, 1);

  const single = Buffer.from(await signMessage(plainMessage(), 'example.com', 'sel1', makeKey('rsa', 2048)));
  const one = await engine.evaluate(single, opts, { offline: true }, { start: 0, count: 50 });
  assert.deepEqual([one.container, one.slice], ['message', { start: 0, total: 1 }]);
  assert.deepEqual(comparable(one.messages), comparable((await engine.evaluate(single, opts, { offline: true })).messages));
  assert.deepEqual((await engine.evaluate(single, opts, { offline: true }, { start: 1, count: 50 })).messages, []);
});

test('an evaluation of many messages gives the event loop turns (the web host and Electron main keep answering)', async () => {
  const { mbox, dns } = await mixedMbox(150);
  const engine = createEngine({ clock: () => NOW });
  for (const slice of [undefined, { start: 0, count: 150 }]) {
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    const t0 = performance.now();
    const res = await engine.evaluate(mbox, { ip: '192.0.2.10' }, dns, slice);
    const ms = performance.now() - t0;
    clearInterval(timer);
    assert.equal(res.messages.length, 150);
    // a turn after every 50 ms of evaluating, give or take the message under way (none at all
    // without them: zone answers are promises, which never give the loop a turn)
    assert.ok(turns >= Math.floor(ms / 100) && (ms < 100 || turns > 0), `${turns} timer turns in ${ms.toFixed(0)} ms (${slice ? 'slice' : 'whole'})`);
  }
});
