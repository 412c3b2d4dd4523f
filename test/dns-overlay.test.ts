// What-if precedence: the zone wins for the names and types it defines, the base answers the rest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OverlayResolver } from '../electron/engine/dns/overlay-resolver.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { loadZones } from '../electron/engine/dns/zone-file.ts';
import type { Resolver } from '../electron/engine/dns/resolver.ts';
import type { RRType } from '../shared/dns.ts';

/** The "live" world, counting what reaches it. */
function liveWorld() {
  const world = MemoryResolver.fromJson(
    {
      'example.com': { TXT: [['v=spf1 -all']], A: ['192.0.2.1'] },
      'target.example.net': { TXT: [['from live']] },
      'alias.example.com': { CNAME: ['target.example.net'] },
    },
    'live',
  );
  const asked: string[] = [];
  const r: Resolver = {
    query(name: string, type: RRType) {
      asked.push(`${name} ${type}`);
      return world.query(name, type);
    },
  };
  return { r, asked };
}

const zone = () =>
  loadZones([
    {
      name: 'example.com',
      text: `@ TXT "v=spf1 ip4:198.51.100.0/24 -all"
www CNAME web
web TXT "web in zone"
out CNAME target.example.net.
loop1 CNAME loop2
loop2 CNAME loop1`,
    },
  ]);

test('the zone overrides live for the same name and type', async () => {
  const { r, asked } = liveWorld();
  const a = await new OverlayResolver(zone(), r).query('example.com', 'TXT');
  assert.equal(a.source, 'zone');
  assert.deepEqual(a.records, [{ type: 'TXT', data: ['v=spf1 ip4:198.51.100.0/24 -all'] }]);
  assert.deepEqual(asked, []);
});

test('a type the zone does not define at that name still comes from live', async () => {
  const { r, asked } = liveWorld();
  const a = await new OverlayResolver(zone(), r).query('example.com', 'A');
  assert.equal(a.source, 'live');
  assert.deepEqual(a.records, [{ type: 'A', data: '192.0.2.1' }]);
  assert.deepEqual(asked, ['example.com A']);
});

test('names outside the zone come from live, CNAMEs and all', async () => {
  const { r } = liveWorld();
  const a = await new OverlayResolver(zone(), r).query('alias.example.com', 'TXT');
  assert.equal(a.source, 'live');
  assert.deepEqual(a.cnames, ['alias.example.com']);
});

test('a CNAME in the zone is followed inside the zone', async () => {
  const { r, asked } = liveWorld();
  const a = await new OverlayResolver(zone(), r).query('WWW.example.com.', 'TXT');
  assert.equal(a.source, 'zone');
  assert.deepEqual(a.cnames, ['www.example.com']);
  assert.deepEqual(a.records, [{ type: 'TXT', data: ['web in zone'] }]);
  assert.deepEqual(asked, []);
});

test('a zone CNAME pointing outside the zone is finished through live', async () => {
  const { r, asked } = liveWorld();
  const a = await new OverlayResolver(zone(), r).query('out.example.com', 'TXT');
  assert.equal(a.source, 'zone');
  assert.deepEqual(a.cnames, ['out.example.com']);
  assert.deepEqual(a.records, [{ type: 'TXT', data: ['from live'] }]);
  assert.deepEqual(asked, ['target.example.net TXT']);
  // asking for the CNAME itself answers from the zone
  const c = await new OverlayResolver(zone(), r).query('out.example.com', 'CNAME');
  assert.deepEqual(c.records, [{ type: 'CNAME', data: 'target.example.net' }]);
});

test('a CNAME loop in the zone is SERVFAIL, not a hang', async () => {
  const a = await new OverlayResolver(zone(), null).query('loop1.example.com', 'TXT');
  assert.equal(a.rcode, 'SERVFAIL');
  assert.match(a.error!, /CNAME loop/);
});

test('offline: the zone answers, everything else is NXDOMAIN (NODATA at names the zone has)', async () => {
  const off = new OverlayResolver(zone(), null);
  assert.equal((await off.query('example.com', 'TXT')).source, 'zone');
  const nx = await off.query('target.example.net', 'TXT');
  assert.deepEqual([nx.rcode, nx.source, nx.records.length], ['NXDOMAIN', 'offline', 0]);
  assert.match(nx.error!, /not in the zone/);
  const nodata = await off.query('example.com', 'A');
  assert.deepEqual([nodata.rcode, nodata.source], ['NOERROR', 'offline']);
  const viaCname = await off.query('out.example.com', 'TXT');
  assert.deepEqual([viaCname.rcode, viaCname.cnames], ['NXDOMAIN', ['out.example.com']]);
});

test('configured failures in the zone store win too', async () => {
  const z = new MemoryResolver('zone');
  z.fail('broken.example', 'SERVFAIL');
  const { r, asked } = liveWorld();
  const a = await new OverlayResolver(z, r).query('broken.example', 'TXT');
  assert.deepEqual([a.rcode, a.source], ['SERVFAIL', 'zone']);
  assert.deepEqual(asked, []);
});
