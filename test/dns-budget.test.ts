// The per-message DNS budget: a query count and a deadline, after which every query is BUDGET at once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetResolver } from '../electron/engine/dns/budget-resolver.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import type { Resolver } from '../electron/engine/dns/resolver.ts';

const world = MemoryResolver.fromJson({ 'a.test': { TXT: [['x']] } }, 'live');

test('after maxQueries every query answers BUDGET without reaching the inner resolver', async () => {
  let inner = 0;
  const counting: Resolver = { query: (n, t) => (inner++, world.query(n, t)) };
  const b = new BudgetResolver(counting, { maxQueries: 3 });
  for (let i = 0; i < 3; i++) assert.equal((await b.query('a.test', 'TXT')).rcode, 'NOERROR');
  const over = await b.query('a.test', 'TXT');
  assert.deepEqual([over.rcode, over.source, over.error], ['BUDGET', 'budget', 'the budget of 3 DNS queries for this message is used up']);
  assert.equal(inner, 3);
});

test('the default budget is 100 queries', async () => {
  const b = new BudgetResolver(world);
  for (let i = 0; i < 100; i++) assert.equal((await b.query('a.test', 'TXT')).rcode, 'NOERROR');
  assert.equal((await b.query('a.test', 'TXT')).rcode, 'BUDGET');
});

test('after the deadline (counted from the first query) queries answer BUDGET immediately', async () => {
  let now = 1000;
  const b = new BudgetResolver(world, { deadlineMs: 20_000, now: () => now });
  assert.equal((await b.query('a.test', 'TXT')).rcode, 'NOERROR');
  now = 20_999;
  assert.equal((await b.query('a.test', 'TXT')).rcode, 'NOERROR');
  now = 21_000;
  const a = await b.query('a.test', 'TXT');
  assert.deepEqual([a.rcode, a.error], ['BUDGET', 'the 20 s DNS deadline for this message has passed']);
});

test('a query still running at the deadline is cut off with BUDGET', async () => {
  const slow: Resolver = { query: () => new Promise((r) => setTimeout(() => r({ rcode: 'NOERROR', records: [], source: 'live' }), 1000)) };
  const b = new BudgetResolver(slow, { deadlineMs: 80 });
  const t0 = performance.now();
  const a = await b.query('a.test', 'TXT');
  const ms = performance.now() - t0;
  assert.equal(a.rcode, 'BUDGET');
  assert.match(a.error!, /80 ms DNS deadline/);
  assert.ok(ms < 500, `took ${ms} ms`);
});
