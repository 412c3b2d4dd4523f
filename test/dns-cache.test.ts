// The shared cache: TTL-bound hits that never reach the server, brief negative caching, no
// caching of failures, one query for concurrent identical questions.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CacheResolver } from '../electron/engine/dns/cache-resolver.ts';
import { LiveResolver } from '../electron/engine/dns/live-resolver.ts';
import type { Resolver } from '../electron/engine/dns/resolver.ts';
import type { DnsAnswer, RRType } from '../shared/dns.ts';
import { startDnsServer, type RunningDnsServer } from './helpers/dns-server.ts';

let srv: RunningDnsServer;
before(async () => {
  srv = await startDnsServer({
    zone: { 'cached.test': { TXT: [['v=spf1 -all']] } },
    behaviours: { 'sf.cached.test': 'servfail' },
    ttl: 120,
  });
});
after(() => srv.close());

test('a cache hit reports source cache and does not reach the server', async () => {
  const cache = new CacheResolver(new LiveResolver({ servers: [srv.server], timeoutMs: 500 }));
  const first = await cache.query('cached.test', 'TXT');
  assert.equal(first.source, 'live');
  const n = srv.count(undefined, 'cached.test');
  const second = await cache.query('CACHED.test.', 'TXT');
  assert.equal(second.source, 'cache');
  assert.deepEqual(second.records, first.records);
  assert.equal(second.server, srv.server);
  assert.equal(srv.count(undefined, 'cached.test'), n);
});

test('SERVFAIL is not cached: the next question asks again', async () => {
  const cache = new CacheResolver(new LiveResolver({ servers: [srv.server], timeoutMs: 500 }));
  await cache.query('sf.cached.test', 'TXT');
  const n = srv.count(undefined, 'sf.cached.test');
  const again = await cache.query('sf.cached.test', 'TXT');
  assert.equal(again.rcode, 'SERVFAIL');
  assert.equal(again.source, 'live');
  assert.equal(srv.count(undefined, 'sf.cached.test'), n + 1);
});

/** A scripted resolver counting its queries. */
function scripted(answers: Record<string, DnsAnswer>, delayMs = 0) {
  const calls: string[] = [];
  const r: Resolver = {
    async query(name: string, type: RRType) {
      calls.push(`${name} ${type}`);
      if (delayMs) await new Promise((res) => setTimeout(res, delayMs));
      return structuredClone(answers[`${name} ${type}`] ?? { rcode: 'NXDOMAIN', records: [], source: 'live', ttl: 3600 });
    },
  };
  return { r, calls };
}

test('answers live for their TTL (capped), negative answers only briefly', async () => {
  let now = 0;
  const { r, calls } = scripted({
    'a.test TXT': { rcode: 'NOERROR', records: [{ type: 'TXT', data: ['x'] }], source: 'live', ttl: 120 },
    'long.test TXT': { rcode: 'NOERROR', records: [{ type: 'TXT', data: ['y'] }], source: 'live', ttl: 86400 },
  });
  const cache = new CacheResolver(r, { now: () => now, maxTtl: 300, negativeTtl: 30 });
  await cache.query('a.test', 'TXT');
  await cache.query('long.test', 'TXT');
  await cache.query('none.test', 'TXT'); // NXDOMAIN with a 3600 s negative TTL → kept 30 s
  now = 29_000;
  const hit = await cache.query('a.test', 'TXT');
  assert.equal(hit.source, 'cache');
  assert.equal(hit.ttl, 91);
  assert.equal((await cache.query('none.test', 'TXT')).source, 'cache');
  now = 31_000;
  assert.equal((await cache.query('none.test', 'TXT')).source, 'live');
  now = 121_000;
  assert.equal((await cache.query('a.test', 'TXT')).source, 'live');
  assert.equal((await cache.query('long.test', 'TXT')).source, 'cache');
  now = 301_000;
  assert.equal((await cache.query('long.test', 'TXT')).source, 'live');
  assert.deepEqual(calls, ['a.test TXT', 'long.test TXT', 'none.test TXT', 'none.test TXT', 'a.test TXT', 'long.test TXT']);
});

test('a TTL of 0 is not cached', async () => {
  const { r, calls } = scripted({ 'z.test A': { rcode: 'NOERROR', records: [{ type: 'A', data: '192.0.2.1' }], source: 'live', ttl: 0 } });
  const cache = new CacheResolver(r);
  await cache.query('z.test', 'A');
  await cache.query('z.test', 'A');
  assert.equal(calls.length, 2);
});

test('concurrent identical questions share one query', async () => {
  const { r, calls } = scripted({ 'c.test TXT': { rcode: 'NOERROR', records: [{ type: 'TXT', data: ['c'] }], source: 'live', ttl: 60 } }, 30);
  const cache = new CacheResolver(r);
  const [a, b, c] = await Promise.all([cache.query('c.test', 'TXT'), cache.query('c.test', 'TXT'), cache.query('c.test', 'A')]);
  assert.deepEqual(calls, ['c.test TXT', 'c.test A']);
  assert.equal(a.source, 'live');
  assert.equal(b.source, 'cache');
  assert.deepEqual(b.records, a.records);
  assert.equal(c.rcode, 'NXDOMAIN');
  // a caller mutating its answer must not corrupt the cache
  a.records.length = 0;
  b.records.length = 0;
  assert.equal((await cache.query('c.test', 'TXT')).records.length, 1);
});
