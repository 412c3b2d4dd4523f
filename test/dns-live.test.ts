// The live resolver against a real DNS server on loopback: every outcome seen on the wire.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LiveResolver, parseServer } from '../electron/engine/dns/live-resolver.ts';
import { startDnsServer, type RunningDnsServer } from './helpers/dns-server.ts';

const bigKey = 'v=DKIM1; k=rsa; p=' + 'A'.repeat(250);
let srv: RunningDnsServer;

before(async () => {
  srv = await startDnsServer({
    zone: {
      'example.test': { TXT: [['v=spf1 ', 'ip4:192.0.2.0/24 -all'], ['other']], MX: [{ exchange: 'mx.example.test', priority: 10 }] },
      'www.example.test': { CNAME: ['web.example.test'] },
      'web.example.test': { CNAME: ['host.example.test'] },
      'host.example.test': { A: ['192.0.2.7'], TXT: [['host text']] },
      'only-a.example.test': { A: ['192.0.2.8'] },
      'tc.example.test': { TXT: [['complete answer']] },
      'big.example.test': { TXT: Array.from({ length: 6 }, (_, i) => [bigKey.slice(0, 250), `part ${i}`]) },
      'utf8.example.test': { TXT: [['café ✓']] },
      'old.example.test': { TXT: [['no edns here']] },
    },
    behaviours: {
      'drop.example.test': 'drop',
      'servfail.example.test': 'servfail',
      'refused.example.test': 'refused',
      'tc.example.test': 'truncate',
      'garbage.example.test': 'garbage',
      'wrongid.example.test': 'wrong-id',
      'old.example.test': 'formerr-edns',
    },
  });
});
after(() => srv.close());

const live = (opts: { timeoutMs?: number; tries?: number } = {}) =>
  new LiveResolver({ servers: [srv.server], timeoutMs: opts.timeoutMs ?? 1000, tries: opts.tries ?? 2 });

test('NOERROR TXT keeps each record and its character-strings apart, with server, transport and TTL', async () => {
  const a = await live().query('Example.TEST.', 'TXT');
  assert.equal(a.rcode, 'NOERROR');
  assert.deepEqual(a.records, [
    { type: 'TXT', data: ['v=spf1 ', 'ip4:192.0.2.0/24 -all'] },
    { type: 'TXT', data: ['other'] },
  ]);
  assert.equal(a.source, 'live');
  assert.equal(a.server, srv.server);
  assert.equal(a.transport, 'udp');
  assert.equal(a.ttl, 300);
  assert.equal(a.error, undefined);
  const asked = srv.queries.at(-1)!;
  assert.deepEqual([asked.name, asked.type, asked.rd, asked.edns], ['example.test', 'TXT', true, true]);
});

test('MX and UTF-8 TXT data', async () => {
  const mx = await live().query('example.test', 'MX');
  assert.deepEqual(mx.records, [{ type: 'MX', data: { preference: 10, exchange: 'mx.example.test' } }]);
  const u = await live().query('utf8.example.test', 'TXT');
  assert.deepEqual(u.records, [{ type: 'TXT', data: ['café ✓'] }]);
});

test('NXDOMAIN carries the negative TTL from the SOA and an explanation', async () => {
  const a = await live().query('nothing.example.test', 'TXT');
  assert.equal(a.rcode, 'NXDOMAIN');
  assert.deepEqual(a.records, []);
  assert.equal(a.ttl, 60); // min(SOA TTL 300, MINIMUM 60), RFC 2308
  assert.match(a.error!, /answered NXDOMAIN/);
});

test('NODATA is NOERROR with no records', async () => {
  const a = await live().query('only-a.example.test', 'TXT');
  assert.equal(a.rcode, 'NOERROR');
  assert.deepEqual(a.records, []);
});

test('SERVFAIL and REFUSED are reported as such, the server asked only once per round', async () => {
  const before = srv.count('udp', 'servfail.example.test');
  const s = await live().query('servfail.example.test', 'TXT');
  assert.equal(s.rcode, 'SERVFAIL');
  assert.match(s.error!, /answered SERVFAIL/);
  assert.equal(srv.count('udp', 'servfail.example.test') - before, 1);
  const r = await live().query('refused.example.test', 'A');
  assert.equal(r.rcode, 'REFUSED');
});

test('a dropped query times out within timeoutMs × tries with rcode TIMEOUT', async () => {
  const before = srv.count('udp', 'drop.example.test');
  const t0 = performance.now();
  const a = await live({ timeoutMs: 200, tries: 2 }).query('drop.example.test', 'TXT');
  const ms = performance.now() - t0;
  assert.equal(a.rcode, 'TIMEOUT');
  assert.ok(ms >= 390 && ms < 400 + 300, `took ${ms} ms`);
  assert.equal(srv.count('udp', 'drop.example.test') - before, 2);
  assert.equal(a.error, `no answer from ${srv.server} after 2 tries of 200 ms`);
});

test('a truncated UDP reply is retried over TCP and gives the full answer', async () => {
  const before = { udp: srv.count('udp', 'tc.example.test'), tcp: srv.count('tcp', 'tc.example.test') };
  const a = await live().query('tc.example.test', 'TXT');
  assert.equal(a.rcode, 'NOERROR');
  assert.equal(a.transport, 'tcp');
  assert.deepEqual(a.records, [{ type: 'TXT', data: ['complete answer'] }]);
  assert.equal(srv.count('udp', 'tc.example.test') - before.udp, 1);
  assert.equal(srv.count('tcp', 'tc.example.test') - before.tcp, 1);
});

test('an answer larger than the EDNS buffer comes over TCP complete', async () => {
  const a = await live().query('big.example.test', 'TXT');
  assert.equal(a.rcode, 'NOERROR');
  assert.equal(a.transport, 'tcp');
  assert.equal(a.records.length, 6);
  assert.deepEqual(a.records[5], { type: 'TXT', data: [bigKey.slice(0, 250), 'part 5'] });
});

test('EDNS0 is sent, and dropped when a server answers FORMERR to it', async () => {
  const a = await live().query('old.example.test', 'TXT');
  assert.equal(a.rcode, 'NOERROR');
  assert.deepEqual(a.records, [{ type: 'TXT', data: ['no edns here'] }]);
  const asked = srv.queries.filter((q) => q.name === 'old.example.test').map((q) => q.edns);
  assert.deepEqual(asked.slice(-2), [true, false]);
});

test('garbage is MALFORMED with the reason, without waiting out the timeout', async () => {
  const t0 = performance.now();
  const a = await live({ timeoutMs: 1000, tries: 2 }).query('garbage.example.test', 'TXT');
  assert.equal(a.rcode, 'MALFORMED');
  assert.match(a.error!, /^undecodable reply from 127\.0\.0\.1:\d+ \(8 bytes\): Header must be 12 bytes/);
  assert.ok(performance.now() - t0 < 1000);
});

test('a reply with the wrong id is ignored (spoofing defence) and reported as MALFORMED', async () => {
  const a = await live({ timeoutMs: 150, tries: 1 }).query('wrongid.example.test', 'TXT');
  assert.equal(a.rcode, 'MALFORMED');
  assert.match(a.error!, /has id \d+, not the query's id \d+/);
});

test('the CNAME chain in the answer section is followed; only the requested type is returned', async () => {
  const a = await live().query('www.example.test', 'A');
  assert.equal(a.rcode, 'NOERROR');
  assert.deepEqual(a.cnames, ['www.example.test', 'web.example.test']);
  assert.deepEqual(a.records, [{ type: 'A', data: '192.0.2.7' }]);
  const c = await live().query('www.example.test', 'CNAME');
  assert.deepEqual(c.records, [{ type: 'CNAME', data: 'web.example.test' }]);
  assert.equal(c.cnames, undefined);
});

test('a closed port is NETWORK; the second server is tried when the first fails', async () => {
  const closed = new LiveResolver({ servers: ['127.0.0.1:9'], timeoutMs: 300, tries: 1 });
  const a = await closed.query('example.test', 'TXT');
  assert.equal(a.rcode, 'NETWORK');
  assert.match(a.error!, /ECONNREFUSED/);
  const two = new LiveResolver({ servers: ['127.0.0.1:9', srv.server], timeoutMs: 300, tries: 1 });
  const b = await two.query('example.test', 'TXT');
  assert.equal(b.rcode, 'NOERROR');
  assert.equal(b.server, srv.server);
});

test('names that cannot be asked are refused locally, without a query', async () => {
  const n = srv.queries.length;
  const a = await live().query(`${'x'.repeat(64)}.example.test`, 'TXT');
  assert.equal(a.rcode, 'FORMERR');
  assert.match(a.error!, /label of 64 octets/);
  assert.equal(srv.queries.length, n);
});

test('server settings: HOST, HOST:PORT, [v6]:PORT, bare v6; names rejected', () => {
  assert.deepEqual(parseServer('192.0.2.1'), { host: '192.0.2.1', port: 53, label: '192.0.2.1:53' });
  assert.deepEqual(parseServer('192.0.2.1:5353'), { host: '192.0.2.1', port: 5353, label: '192.0.2.1:5353' });
  assert.deepEqual(parseServer('[::1]:5353'), { host: '::1', port: 5353, label: '[::1]:5353' });
  assert.deepEqual(parseServer('2001:db8::1'), { host: '2001:db8::1', port: 53, label: '[2001:db8::1]:53' });
  assert.throws(() => parseServer('dns.google'), /expected an IP address/);
  assert.throws(() => parseServer('192.0.2.1:99999'), /out of range/);
});
