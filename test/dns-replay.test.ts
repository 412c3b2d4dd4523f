// Record a run, replay it: same answers, no network; a question not in the file is SERVFAIL.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LiveResolver } from '../electron/engine/dns/live-resolver.ts';
import { RecordingResolver } from '../electron/engine/dns/recorder.ts';
import { ReplayResolver, ReplayFileError, parseReplayFile, toReplayFile } from '../electron/engine/dns/replay-resolver.ts';
import type { RRType } from '../shared/dns.ts';
import { startDnsServer, type RunningDnsServer } from './helpers/dns-server.ts';

let srv: RunningDnsServer;
before(async () => {
  srv = await startDnsServer({
    zone: {
      'r.test': { TXT: [['v=spf1 ', 'a -all']], MX: [{ exchange: 'mx.r.test', priority: 5 }] },
      'www.r.test': { CNAME: ['r.test'] },
    },
    behaviours: { 'sf.r.test': 'servfail' },
  });
});
after(() => srv.close());

const questions: [string, RRType][] = [
  ['r.test', 'TXT'],
  ['r.test', 'MX'],
  ['www.r.test', 'TXT'],
  ['none.r.test', 'TXT'],
  ['sf.r.test', 'A'],
];

test('the recorder logs every query with seq, answers text, source, server, transport and time', async () => {
  const rec = new RecordingResolver(new LiveResolver({ servers: [srv.server], timeoutMs: 500 }));
  for (const [n, t] of questions) await rec.query(n, t);
  assert.deepEqual(rec.log.map((e) => [e.seq, e.name, e.type, e.rcode]), [
    [1, 'r.test', 'TXT', 'NOERROR'],
    [2, 'r.test', 'MX', 'NOERROR'],
    [3, 'www.r.test', 'TXT', 'NOERROR'],
    [4, 'none.r.test', 'TXT', 'NXDOMAIN'],
    [5, 'sf.r.test', 'A', 'SERVFAIL'],
  ]);
  assert.deepEqual(rec.log[0]!.answers, ['"v=spf1 " "a -all"']);
  assert.deepEqual(rec.log[1]!.answers, ['5 mx.r.test']);
  assert.deepEqual(rec.log[2]!.cnames, ['www.r.test']);
  assert.equal(rec.log[0]!.source, 'live');
  assert.equal(rec.log[0]!.server, srv.server);
  assert.equal(rec.log[0]!.transport, 'udp');
  assert.match(rec.log[4]!.error!, /answered SERVFAIL/);
  for (const e of rec.log) assert.equal(Math.round(e.ms * 10) / 10, e.ms);
  const drained = rec.drain();
  assert.equal(drained.length, 5);
  assert.equal(rec.log.length, 0);
  await rec.query('r.test', 'TXT');
  assert.equal(rec.log[0]!.seq, 6);
});

test('round trip: record a run, save it as JSON, replay it with the same answers and no network', async () => {
  const rec = new RecordingResolver(new LiveResolver({ servers: [srv.server], timeoutMs: 500 }));
  const original = [];
  for (const [n, t] of questions) original.push(await rec.query(n, t));
  const json = JSON.stringify(toReplayFile(rec.log, new Date('2025-01-02T03:04:05Z')));
  const file = parseReplayFile(json);
  assert.equal(file.savedAt, '2025-01-02T03:04:05.000Z');

  const seen = srv.queries.length;
  const replay = new RecordingResolver(new ReplayResolver(file));
  for (const [i, [n, t]] of questions.entries()) {
    const a = await replay.query(n, t);
    assert.equal(a.source, 'replay');
    assert.equal(a.rcode, original[i]!.rcode);
    assert.deepEqual(a.records, original[i]!.records);
    assert.deepEqual(a.cnames, original[i]!.cnames);
    assert.equal(a.error, original[i]!.error);
  }
  assert.equal(srv.queries.length, seen);
  assert.deepEqual(replay.log.map((e) => e.answers), rec.log.map((e) => e.answers));
});

test('a question not in the replay file is SERVFAIL "not in the replay file", never NXDOMAIN', async () => {
  const replay = new ReplayResolver(toReplayFile([]));
  const a = await replay.query('Missing.test.', 'TXT');
  assert.deepEqual([a.rcode, a.source, a.error], ['SERVFAIL', 'replay', 'missing.test TXT is not in the replay file']);
});

test('a question asked twice gets the recorded answers in order, then the last again', async () => {
  const base = { name: 'x.test', type: 'TXT' as const, answers: [], source: 'live' as const, ms: 1 };
  const replay = new ReplayResolver(
    toReplayFile([
      { ...base, seq: 1, rcode: 'TIMEOUT', records: [], error: 'no answer' },
      { ...base, seq: 2, rcode: 'NOERROR', records: [{ type: 'TXT', data: ['ok'] }] },
    ]),
  );
  assert.equal((await replay.query('x.test', 'TXT')).rcode, 'TIMEOUT');
  assert.equal((await replay.query('x.test', 'TXT')).rcode, 'NOERROR');
  assert.equal((await replay.query('x.test', 'TXT')).rcode, 'NOERROR');
});

test('replay files are validated with specific errors', () => {
  const bad = (input: unknown, message: RegExp) =>
    assert.throws(() => parseReplayFile(input), (e: unknown) => e instanceof ReplayFileError && e.code === 'bad-replay' && message.test(e.message));
  bad('{oops', /^replay file is not JSON: /);
  bad('[]', /must be a JSON object/);
  bad({ format: 'har', version: 1 }, /"format" is "har", expected "authlab-dns-replay"/);
  bad({ format: 'authlab-dns-replay', version: 2, savedAt: '', entries: [] }, /version 2 is not supported/);
  bad({ format: 'authlab-dns-replay', version: 1, savedAt: 'x' }, /^replay file: entries: /);
  const entry = { seq: 1, name: 'a.test', type: 'TXT', rcode: 'NOERROR', records: [{ type: 'TXT', data: 'flat' }], answers: [], source: 'live', ms: 1 };
  bad({ format: 'authlab-dns-replay', version: 1, savedAt: 'x', entries: [entry] }, /^replay file: entries\[0\]\.records\[0\]\.data: /);
  bad({ format: 'authlab-dns-replay', version: 1, savedAt: 'x', entries: [{ ...entry, records: [], rcode: 'WHATEVER' }] }, /^replay file: entries\[0\]\.rcode: /);
  assert.equal(parseReplayFile({ format: 'authlab-dns-replay', version: 1, savedAt: 'x', entries: [{ ...entry, records: [] }] }).entries.length, 1);
});
