// Our RFC 7208 evaluator beyond the conformance suite: the trace (term statuses, lookup counts,
// children, deciding term), the processing limits, exp= and the mailauth cross-check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { evaluateSpf, spfIdentity, type SpfEvaluateOptions } from '../electron/engine/spf/spf-evaluate.ts';
import { mailauthSpf } from '../electron/engine/spf/spf-mailauth.ts';
import type { SpfNode } from '../shared/report.ts';

const IP = '192.0.2.7';

function zone(data: Record<string, Record<string, unknown[]>>): MemoryResolver {
  return MemoryResolver.fromJson(data as Record<string, Record<string, unknown[]>>);
}

function check(resolver: MemoryResolver, over: Partial<SpfEvaluateOptions> = {}) {
  const sender = over.sender ?? 'alice@example.com';
  return evaluateSpf({ ip: IP, domain: sender.slice(sender.lastIndexOf('@') + 1), sender, helo: 'mail.example.com', identity: 'mailfrom', resolver, ...over });
}

const statuses = (n: SpfNode | undefined) => n?.terms.map((t) => `${t.text}=${t.status}`);

test('trace: terms before the match are not-matched, the match is matched, the rest not-reached', async () => {
  const r = zone({
    'example.com': { TXT: [['v=spf1 ip4:198.51.100.0/24 a:mail.example.com ip4:192.0.2.0/24 include:other.example.com -all']] },
    'mail.example.com': { A: ['192.0.2.1'] },
  });
  const c = await check(r);
  assert.equal(c.result, 'pass');
  assert.equal(c.decidingTerm, 'ip4:192.0.2.0/24');
  assert.deepEqual(statuses(c.tree), [
    'ip4:198.51.100.0/24=not-matched',
    'a:mail.example.com=not-matched',
    'ip4:192.0.2.0/24=matched',
    'include:other.example.com=not-reached',
    '-all=not-reached',
  ]);
  assert.deepEqual(c.tree!.terms.map((t) => t.lookups), [0, 1, 0, 0, 0]);
  assert.equal(c.lookups.count, 1);
  assert.ok(c.steps.some((s) => s.title === 'Looked up the SPF record of example.com'));
  assert.ok(c.steps.some((s) => s.title === 'ip4:192.0.2.0/24 matched 192.0.2.7 → pass' && s.status === 'pass'));
  assert.ok(c.steps.some((s) => s.title === 'a:mail.example.com did not match 192.0.2.7' && /192\.0\.2\.1/.test(s.detail)));
  assert.equal(c.explanation, undefined);
});

test('include: the child record is in the tree and its lookups are charged to the include term', async () => {
  const r = zone({
    'example.com': { TXT: [['v=spf1 include:_spf.example.com ~all']], MX: [{ exchange: 'mx.example.com', priority: 10 }] },
    '_spf.example.com': { TXT: [['v=spf1 a:relay.example.com mx:example.com ip4:192.0.2.0/28 -all']] },
    'relay.example.com': { A: ['198.51.100.1'] },
    'mx.example.com': { A: ['198.51.100.2'] },
  });
  const c = await check(r);
  assert.equal(c.result, 'pass');
  // the include's qualifier gives the result; the reason names the term inside that matched
  assert.equal(c.decidingTerm, 'include:_spf.example.com');
  assert.match(c.reason, /through ip4:192\.0\.2\.0\/28 in _spf\.example\.com/);
  const inc = c.tree!.terms[0]!;
  assert.equal(inc.status, 'matched');
  assert.equal(inc.lookups, 3, 'include itself, then a: and mx: inside');
  assert.equal(inc.child?.domain, '_spf.example.com');
  assert.equal(inc.child?.result, 'pass');
  assert.deepEqual(statuses(inc.child), ['a:relay.example.com=not-matched', 'mx:example.com=not-matched', 'ip4:192.0.2.0/28=matched', '-all=not-reached']);
  assert.equal(c.lookups.count, 3);
});

test('include results: fail inside is no match, none inside is permerror, timeout inside is temperror', async () => {
  const r = zone({
    'a.example.com': { TXT: [['v=spf1 include:deny.example.com ?all']] },
    'deny.example.com': { TXT: [['v=spf1 -all']] },
    'b.example.com': { TXT: [['v=spf1 include:nothing.example.com -all']] },
    'nothing.example.com': { A: ['192.0.2.99'] },
    'c.example.com': { TXT: [['v=spf1 include:slow.example.com -all']] },
  });
  r.fail('slow.example.com', 'TIMEOUT');
  const a = await check(r, { sender: 'x@a.example.com' });
  assert.equal(a.result, 'neutral');
  assert.equal(a.tree!.terms[0]!.status, 'not-matched');
  assert.equal(a.tree!.terms[0]!.child?.result, 'fail');
  const b = await check(r, { sender: 'x@b.example.com' });
  assert.equal(b.result, 'permerror');
  assert.equal(b.decidingTerm, 'include:nothing.example.com');
  assert.equal(b.tree!.terms[0]!.status, 'error');
  assert.deepEqual(statuses(b.tree), ['include:nothing.example.com=error', '-all=not-reached']);
  const c = await check(r, { sender: 'x@c.example.com' });
  assert.equal(c.result, 'temperror');
  assert.match(c.reason, /TIMEOUT/);
});

test('include loop ends quickly in permerror with the lookup counter at the limit', async () => {
  const r = zone({
    'a.example.com': { TXT: [['v=spf1 include:b.example.com -all']] },
    'b.example.com': { TXT: [['v=spf1 include:a.example.com -all']] },
  });
  const started = performance.now();
  const c = await check(r, { sender: 'x@a.example.com' });
  assert.ok(performance.now() - started < 1000, 'the loop must not run long');
  assert.equal(c.result, 'permerror');
  assert.equal(c.lookups.count, 10);
  assert.equal(c.lookups.limit, 10);
  assert.match(c.decidingTerm ?? '', /^include:[ab]\.example\.com$/);
  assert.match(c.reason, /lookup 11/);
  // ten nested includes, the innermost refused
  let node = c.tree;
  let depth = 0;
  while (node?.terms[0]?.child) {
    node = node.terms[0].child;
    depth++;
  }
  assert.equal(depth, 10);
  assert.equal(node!.terms[0]!.status, 'error');
  assert.equal(node!.terms[0]!.lookups, 0);
});

test('the 11th lookup term is the deciding term of the permerror', async () => {
  const names = Array.from({ length: 11 }, (_, i) => `h${i + 1}.example.com`);
  const data: Record<string, Record<string, unknown[]>> = {
    'example.com': { TXT: [[`v=spf1 ${names.map((n) => `a:${n}`).join(' ')} ip4:192.0.2.7 -all`]] },
  };
  for (const n of names) data[n] = { A: ['198.51.100.9'] };
  const c = await check(zone(data));
  assert.equal(c.result, 'permerror');
  assert.equal(c.decidingTerm, 'a:h11.example.com');
  assert.equal(c.lookups.count, 10);
  const t = c.tree!.terms;
  assert.ok(t.slice(0, 10).every((x) => x.status === 'not-matched' && x.lookups === 1));
  assert.equal(t[10]!.status, 'error');
  assert.equal(t[11]!.status, 'not-reached', 'ip4 after the refused term is never reached');
  assert.equal(t[12]!.status, 'not-reached');
});

test('ten lookup terms are allowed', async () => {
  const names = Array.from({ length: 10 }, (_, i) => `h${i + 1}.example.com`);
  const data: Record<string, Record<string, unknown[]>> = { 'example.com': { TXT: [[`v=spf1 ${names.map((n) => `a:${n}`).join(' ')} ip4:192.0.2.7 -all`]] } };
  for (const n of names) data[n] = { A: ['198.51.100.9'] };
  const c = await check(zone(data));
  assert.equal(c.result, 'pass');
  assert.equal(c.lookups.count, 10);
});

test('void lookups: the third is a permerror in strict mode and only a warning in lenient mode', async () => {
  const r = zone({ 'example.com': { TXT: [['v=spf1 a:gone1.example.com a:gone2.example.com a:gone3.example.com -all']] } });
  const strict = await check(r);
  assert.equal(strict.result, 'permerror');
  assert.equal(strict.decidingTerm, 'a:gone3.example.com');
  assert.equal(strict.lookups.void, 3);
  assert.equal(strict.lookups.voidLimit, 2);
  const lenient = await check(r, { mode: 'lenient' });
  assert.equal(lenient.result, 'fail');
  assert.equal(lenient.decidingTerm, '-all');
  assert.ok(lenient.steps.some((s) => s.status === 'warn' && /void/.test(s.title)));
  const two = await check(zone({ 'example.com': { TXT: [['v=spf1 a:gone1.example.com a:gone2.example.com -all']] } }));
  assert.equal(two.result, 'fail');
  assert.equal(two.lookups.void, 2);
});

test('exp= gives the macro-expanded explanation, only for fail and never from an included record', async () => {
  const r = zone({
    'example.com': { TXT: [['v=spf1 ip4:198.51.100.0/24 -all exp=why.example.com']] },
    'why.example.com': { TXT: [['%{i} may not send for %{d} ', '(sender %{S}, %{l1r-}).']] },
    'soft.example.com': { TXT: [['v=spf1 ~all exp=why.example.com']] },
    'outer.example.com': { TXT: [['v=spf1 -include:inner.example.com ?all']] },
    'inner.example.com': { TXT: [['v=spf1 +all exp=why.example.com']] },
  });
  const c = await check(r, { sender: 'first-last@example.com' });
  assert.equal(c.result, 'fail');
  assert.equal(c.explanation, '192.0.2.7 may not send for example.com (sender first-last%40example.com, first).');
  const exp = c.tree!.terms.find((t) => t.name === 'exp')!;
  assert.equal(exp.status, 'matched');
  const soft = await check(r, { sender: 'x@soft.example.com' });
  assert.equal(soft.result, 'softfail');
  assert.equal(soft.explanation, undefined);
  const outer = await check(r, { sender: 'x@outer.example.com' });
  assert.equal(outer.result, 'fail');
  assert.equal(outer.explanation, undefined);
});

test('redirect: the target decides, the original exp= is dropped, the target has none → permerror', async () => {
  const r = zone({
    'example.com': { TXT: [['v=spf1 ip4:198.51.100.1 exp=why.example.com redirect=_spf.example.com']] },
    '_spf.example.com': { TXT: [['v=spf1 -all']] },
    'why.example.com': { TXT: [['not used']] },
    'bad.example.com': { TXT: [['v=spf1 redirect=empty.example.com']] },
    'withall.example.com': { TXT: [['v=spf1 redirect=_spf.example.com ?all']] },
  });
  const c = await check(r);
  assert.equal(c.result, 'fail');
  assert.equal(c.explanation, undefined);
  const red = c.tree!.terms.find((t) => t.name === 'redirect')!;
  assert.equal(red.status, 'matched');
  assert.equal(red.child?.domain, '_spf.example.com');
  assert.equal(c.decidingTerm, '-all');
  const bad = await check(r, { sender: 'x@bad.example.com' });
  assert.equal(bad.result, 'permerror');
  const withAll = await check(r, { sender: 'x@withall.example.com' });
  assert.equal(withAll.result, 'neutral');
  assert.equal(withAll.tree!.terms[0]!.status, 'not-reached');
});

test('syntax is checked before evaluation: an error after the match is still a permerror', async () => {
  const r = zone({ 'example.com': { TXT: [['v=spf1 ip4:192.0.2.7 -all moo ip4:192.0.2.300']] } });
  const c = await check(r);
  assert.equal(c.result, 'permerror');
  assert.equal(c.decidingTerm, 'moo');
  assert.deepEqual(statuses(c.tree), ['ip4:192.0.2.7=not-reached', '-all=not-reached', 'moo=error', 'ip4:192.0.2.300=error']);
  assert.match(c.tree!.terms[2]!.detail ?? '', /unknown mechanism/);
});

test('record selection: none, several, DNS failure', async () => {
  const r = zone({
    'none.example.com': { TXT: [['some verification token']] },
    'two.example.com': { TXT: [['v=spf1 -all'], ['v=spf1 +all']] },
  });
  r.fail('down.example.com', 'SERVFAIL');
  assert.equal((await check(r, { sender: 'x@none.example.com' })).result, 'none');
  assert.equal((await check(r, { sender: 'x@nxdomain.example.com' })).result, 'none');
  assert.equal((await check(r, { sender: 'x@two.example.com' })).result, 'permerror');
  assert.equal((await check(r, { sender: 'x@down.example.com' })).result, 'temperror');
  assert.equal((await check(r, { sender: 'x@[192.0.2.1]', domain: '[192.0.2.1]' })).result, 'none');
});

test('mx with more than 10 hosts is a permerror when none of the first 10 matches', async () => {
  const mx = Array.from({ length: 11 }, (_, i) => ({ exchange: `mx${i}.example.com`, priority: i }));
  const data: Record<string, Record<string, unknown[]>> = { 'example.com': { TXT: [['v=spf1 mx -all']], MX: mx } };
  for (let i = 0; i < 11; i++) data[`mx${i}.example.com`] = { A: [i === 10 ? IP : `198.51.100.${i}`] };
  const c = await check(zone(data));
  assert.equal(c.result, 'permerror');
  assert.equal(c.decidingTerm, 'mx');
});

test('IPv4-mapped IPv6 clients are IPv4; IPv6 clients use the ip6 and //cidr forms', async () => {
  const r = zone({
    'example.com': { TXT: [['v=spf1 ip4:192.0.2.0/24 -all']] },
    'six.example.com': { TXT: [['v=spf1 a/24//48 -all']], AAAA: ['2001:db8:1::1'] },
  });
  assert.equal((await check(r, { ip: '::ffff:192.0.2.7' })).result, 'pass');
  assert.equal((await check(r, { ip: '2001:db8::7' })).result, 'fail');
  assert.equal((await check(r, { ip: '2001:db8:1:ffff::9', sender: 'x@six.example.com' })).result, 'pass');
  assert.equal((await check(r, { ip: '2001:db8:2::9', sender: 'x@six.example.com' })).result, 'fail');
});

test('the null sender checks postmaster@HELO', async () => {
  const id = spfIdentity('', 'mail.example.com');
  assert.deepEqual(id, { identity: 'helo', domain: 'mail.example.com', sender: 'postmaster@mail.example.com' });
  assert.deepEqual(spfIdentity('@example.com', 'h.example.com'), { identity: 'mailfrom', domain: 'example.com', sender: 'postmaster@example.com' });
  const r = zone({ 'mail.example.com': { TXT: [['v=spf1 -exists:%{l}.%{d} a -all']], A: [IP] } });
  const c = await evaluateSpf({ ip: IP, ...id, helo: 'mail.example.com', resolver: r });
  assert.equal(c.result, 'pass');
  assert.equal(c.identity, 'helo');
  assert.deepEqual(statuses(c.tree), ['-exists:%{l}.%{d}=not-matched', 'a=matched', '-all=not-reached']);
});

test('mailauth strict agrees on a plain record and reports its lookups', async () => {
  const r = zone({
    'example.com': { TXT: [['v=spf1 a:mail.example.com include:_spf.example.com -all']] },
    'mail.example.com': { A: ['198.51.100.1'] },
    '_spf.example.com': { TXT: [['v=spf1 ip4:192.0.2.0/24 -all']] },
  });
  const ours = await check(r);
  const theirs = await mailauthSpf({ ip: IP, sender: 'alice@example.com', helo: 'mail.example.com' }, r, true);
  assert.equal(ours.result, 'pass');
  assert.equal(theirs.result, 'pass');
  assert.equal(theirs.lookups?.count, ours.lookups.count);
  const denied = await mailauthSpf({ ip: '198.51.100.200', sender: 'alice@example.com', helo: 'mail.example.com' }, r, true);
  assert.equal(denied.result, 'fail');
});

test('%{p} in a term costs its PTR query against the lookup limit (RFC 7208 §4.6.4)', async () => {
  const r = zone({
    'example.com': { TXT: [['v=spf1 exists:%{p}.ok.example.com -all']] },
    '7.2.0.192.in-addr.arpa': { PTR: ['host.example.com'] },
    'host.example.com': { A: [IP] },
    'host.example.com.ok.example.com': { A: ['127.0.0.2'] },
  });
  const c = await check(r);
  assert.equal(c.result, 'pass');
  assert.equal(c.lookups.count, 2);
  assert.equal(c.tree!.terms[0]!.lookups, 2);
  assert.match(c.tree!.terms[0]!.detail ?? '', /host\.example\.com\.ok\.example\.com exists/);
  const other = await check(r, { ip: '192.0.2.8' });
  assert.equal(other.result, 'fail', 'no validated name: %{p} is "unknown"');
  assert.equal(other.lookups.void, 2, 'the void PTR query and the void A query');
});
