// The composed stack, and mailauth's SPF check run through it against a real DNS server:
// proof that the adapter, live resolver, cache, overlay, budget and recorder fit together.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spf } from 'mailauth';
import { buildResolver } from '../electron/engine/dns/stack.ts';
import { CacheResolver } from '../electron/engine/dns/cache-resolver.ts';
import { LiveResolver } from '../electron/engine/dns/live-resolver.ts';
import { ZoneSyntaxError } from '../electron/engine/dns/zone-file.ts';
import { ReplayFileError, toReplayFile } from '../electron/engine/dns/replay-resolver.ts';
import { toMailauthResolver } from '../electron/engine/dns/mailauth-adapter.ts';
import { startDnsServer, type RunningDnsServer } from './helpers/dns-server.ts';

let srv: RunningDnsServer;
before(async () => {
  srv = await startDnsServer({
    zone: {
      'sender.test': { TXT: [['v=spf1 include:_spf.sender.test -all']] },
      '_spf.sender.test': { TXT: [['v=spf1 ip4:192.0.2.0/24 ', '-all']] },
      'other.test': { TXT: [['v=spf1 -all']] },
    },
  });
});
after(() => srv.close());

const checkSpf = (resolver: Parameters<typeof toMailauthResolver>[0], ip = '192.0.2.55', sender = 'user@sender.test') =>
  spf({ sender, ip, helo: 'mta.sender.test', mta: 'mx.authlab.test', resolver: toMailauthResolver(resolver) as never, strict: true });

test('mailauth SPF passes through the live resolver against the test server, every query logged', async () => {
  const { resolver, recorder } = buildResolver({ servers: [srv.server], timeoutMs: 500 });
  const result = await checkSpf(resolver);
  assert.equal(result.status.result, 'pass');
  assert.deepEqual(recorder.log.map((e) => [e.seq, e.name, e.type, e.rcode, e.source]), [
    [1, 'sender.test', 'TXT', 'NOERROR', 'live'],
    [2, '_spf.sender.test', 'TXT', 'NOERROR', 'live'],
  ]);
  assert.equal(srv.count('udp', '_spf.sender.test') >= 1, true);
  const fail = await checkSpf(resolver, '198.51.100.1');
  assert.equal(fail.status.result, 'fail');
});

test('the shared cache answers the second message; each message has its own log', async () => {
  const cache = new CacheResolver(new LiveResolver({ servers: [srv.server], timeoutMs: 500 }));
  await checkSpf(buildResolver({}, { cache }).resolver);
  const n = srv.queries.length;
  const second = buildResolver({}, { cache });
  assert.equal((await checkSpf(second.resolver)).status.result, 'pass');
  assert.equal(srv.queries.length, n);
  assert.deepEqual(second.recorder.log.map((e) => [e.seq, e.source]), [[1, 'cache'], [2, 'cache']]);
});

test('a what-if zone changes the verdict: its SPF record wins over the live one', async () => {
  const { resolver, recorder } = buildResolver({
    servers: [srv.server],
    zones: [{ name: 'sender.test', text: '_spf TXT "v=spf1 ip4:198.51.100.0/24 -all"' }],
  });
  assert.equal((await checkSpf(resolver, '198.51.100.1')).status.result, 'pass');
  assert.deepEqual(recorder.log.map((e) => e.source), ['live', 'zone']);
});

test('offline: zones only, no network, everything else NXDOMAIN', async () => {
  const n = srv.queries.length;
  const { resolver, recorder } = buildResolver({
    offline: true,
    servers: [srv.server],
    zones: [{ name: 'sender.test', text: '@ TXT "v=spf1 ip4:192.0.2.0/24 -all"' }],
  });
  assert.equal((await checkSpf(resolver)).status.result, 'pass');
  assert.equal((await checkSpf(resolver, '192.0.2.1', 'a@other.test')).status.result, 'none');
  assert.equal(srv.queries.length, n);
  assert.deepEqual(recorder.log.map((e) => [e.source, e.rcode]), [['zone', 'NOERROR'], ['offline', 'NXDOMAIN']]);
});

test('replay reproduces the verdict with no network; a missing entry is a visible temperror', async () => {
  const first = buildResolver({ servers: [srv.server] });
  await checkSpf(first.resolver);
  const replay = toReplayFile(first.recorder.log);
  const n = srv.queries.length;
  const again = buildResolver({ replay, servers: [srv.server] });
  assert.equal((await checkSpf(again.resolver)).status.result, 'pass');
  assert.deepEqual(again.recorder.log.map((e) => e.source), ['replay', 'replay']);
  assert.equal(srv.queries.length, n);
  assert.equal((await checkSpf(again.resolver, '192.0.2.1', 'a@other.test')).status.result, 'temperror');
});

test('the budget applies per message through the stack', async () => {
  const { resolver, recorder } = buildResolver({ servers: [srv.server], budget: 1 });
  assert.equal((await checkSpf(resolver)).status.result, 'temperror');
  assert.deepEqual(recorder.log.map((e) => e.rcode), ['NOERROR', 'BUDGET']);
});

test('bad zones and bad replay files throw errors the engine reports as input errors', () => {
  assert.throws(
    () => buildResolver({ offline: true, zones: [{ name: 'ok.test', text: '@ TXT "a"' }, { name: 'bad.test', text: '@ TXT "a"\n@ SRV 1 2 3 x.' }] }),
    (e: unknown) => e instanceof ZoneSyntaxError && e.code === 'bad-zone' && e.zone === 'bad.test' && e.line === 2,
  );
  assert.throws(
    () => buildResolver({ replay: { format: 'authlab-dns-replay', version: 1, savedAt: 'x', entries: [{}] } as never }),
    (e: unknown) => e instanceof ReplayFileError && e.code === 'bad-replay' && /entries\[0\]/.test(e.message),
  );
});
