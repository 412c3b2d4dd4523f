// DMARC alignment, policy and disposition on a hand-made zone: relaxed and strict modes,
// subdomains, organisational domains found by the Tree Walk (psd=y and psd=n), the HELO
// identity of a null sender, and the reason given for each identifier that does not align.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import mailauth from 'mailauth';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { toMailauthResolver } from '../electron/engine/dns/mailauth-adapter.ts';
import { evaluateDmarcReport, type DmarcDkimInput } from '../electron/engine/dmarc/dmarc-evaluate.ts';
import type { AuthResult, VerifyMode } from '../shared/report.ts';

const zone = MemoryResolver.fromJson({
  '_dmarc.example.com': { TXT: [['v=DMARC1; p=reject; rua=mailto:d@example.com']] },
  '_dmarc.strict.example': { TXT: [['v=DMARC1; p=quarantine; adkim=s; aspf=s']] },
  '_dmarc.co.example': { TXT: [['v=DMARC1; p=reject; psd=y']] },
  '_dmarc.big.example': { TXT: [['v=DMARC1; p=none']] },
  '_dmarc.dept.big.example': { TXT: [['v=DMARC1; p=reject; psd=n']] },
  '_dmarc.testing.example': { TXT: [['v=DMARC1; p=reject; t=y']] },
  '_dmarc.pct.example': { TXT: [['v=DMARC1; p=reject; pct=0']] },
  'example.com': { A: ['192.0.2.1'] },
});

async function dmarc(from: string, spf: { result: AuthResult | null; domain?: string }, dkim: DmarcDkimInput[], mode: VerifyMode = 'strict') {
  const msg = Buffer.from(`From: Someone <${from}>\r\nSubject: test\r\n\r\nhello\r\n`);
  const dkimRaw = await mailauth.dkimVerify(msg, { resolver: toMailauthResolver(zone) as never, strict: mode === 'strict' });
  return (await evaluateDmarcReport({ dkimRaw, spf, dkim, resolver: zone, mode })).report;
}

test('relaxed: a subdomain signature aligns, a foreign one and a failing one do not, each with its reason', async () => {
  const r = await dmarc('a@example.com', { result: 'fail', domain: 'bounce.example.com' }, [
    { index: 1, domain: 'mail.example.com', result: 'pass' },
    { index: 2, domain: 'mailer.example.net', result: 'pass' },
    { index: 3, domain: 'example.com', result: 'fail' },
  ]);
  assert.equal(r.result, 'pass');
  assert.equal(r.alignment.dkimMode, 'relaxed');
  const [sub, foreign, failed] = r.alignment.dkim;
  assert.deepEqual([sub.aligned, foreign.aligned, failed.aligned], [true, false, false]);
  assert.deepEqual([sub.signature, foreign.signature, failed.signature], [1, 2, 3]);
  assert.match(sub.reason, /share the organisational domain example\.com/);
  assert.equal(foreign.reason, 'd=mailer.example.net is not example.com or a subdomain of its organisational domain example.com (relaxed)');
  assert.match(failed.reason, /^signature did not pass \(fail\), so it cannot align$/);
  assert.equal(r.alignment.spf?.aligned, false);
  assert.match(r.alignment.spf!.reason, /SPF did not pass \(fail\)/);
  assert.match(r.reason, /DKIM signature 1 \(d=mail\.example\.com\)/);
  assert.equal(r.disposition, 'none');
});

test('strict (adkim=s, aspf=s): only the exact From domain aligns', async () => {
  const r = await dmarc('a@strict.example', { result: 'pass', domain: 'bounce.strict.example' }, [{ index: 1, domain: 'mail.strict.example', result: 'pass' }]);
  assert.equal(r.result, 'fail');
  assert.equal(r.alignment.dkimMode, 'strict');
  assert.equal(r.alignment.spfMode, 'strict');
  assert.match(r.alignment.dkim[0].reason, /^strict mode \(adkim=s\) requires d= to equal the From domain exactly/);
  assert.match(r.alignment.dkim[0].reason, /would align in relaxed mode/);
  assert.match(r.alignment.spf!.reason, /^strict mode \(aspf=s\)/);
  assert.equal(r.policy, 'quarantine');
  assert.equal(r.disposition, 'quarantine');
  const exact = await dmarc('a@strict.example', { result: null }, [{ index: 1, domain: 'strict.example', result: 'pass' }]);
  assert.equal(exact.result, 'pass');
});

test('Tree Walk: the organisational domain is one label below a psd=y record', async () => {
  const r = await dmarc('a@shop.brand.co.example', { result: null }, [
    { index: 1, domain: 'mail.brand.co.example', result: 'pass' },
    { index: 2, domain: 'other.co.example', result: 'pass' },
  ]);
  assert.equal(r.orgDomain, 'brand.co.example');
  assert.equal(r.recordDomain, 'co.example');
  assert.deepEqual(r.discovery.map((d) => [d.name, d.found]), [
    ['_dmarc.shop.brand.co.example', false],
    ['_dmarc.brand.co.example', false],
    ['_dmarc.co.example', true],
  ]);
  assert.equal(r.result, 'pass');
  assert.equal(r.alignment.dkim[0].aligned, true);
  assert.equal(r.alignment.dkim[1].aligned, false);
  assert.match(r.alignment.dkim[1].reason, /d=other\.co\.example is not shop\.brand\.co\.example or a subdomain of its organisational domain brand\.co\.example/);
});

test('Tree Walk: psd=n makes a subdomain its own organisational domain, so its parent does not align', async () => {
  const r = await dmarc('a@big.example', { result: null }, [{ index: 1, domain: 'dept.big.example', result: 'pass' }]);
  assert.equal(r.orgDomain, 'big.example');
  assert.equal(r.alignment.dkim[0].aligned, false);
  assert.match(r.alignment.dkim[0].reason, /its own Tree Walk gives the organisational domain dept\.big\.example, not big\.example/);
  assert.equal(r.result, 'fail');
  assert.equal(r.policy, 'none');
});

test('null sender: the HELO identity is the SPF domain that counts, and it can align', async () => {
  const r = await dmarc('postmaster@example.com', { result: 'pass', domain: 'mx1.example.com' }, []);
  assert.equal(r.result, 'pass');
  assert.equal(r.alignment.spf?.domain, 'mx1.example.com');
  assert.equal(r.alignment.spf?.aligned, true);
  assert.ok(r.steps.some((s) => s.title === 'DKIM alignment' && s.status === 'skip'));
});

test('t=y lowers the disposition one level; pct is ignored in strict mode and honoured in lenient', async () => {
  const t = await dmarc('a@testing.example', { result: null }, []);
  assert.equal(t.result, 'fail');
  assert.equal(t.policy, 'reject');
  assert.equal(t.testing, true);
  assert.equal(t.disposition, 'quarantine');
  const strict = await dmarc('a@pct.example', { result: null }, []);
  assert.equal(strict.disposition, 'reject');
  assert.match(strict.reason, /pct=0 is ignored: RFC 9989 removed pct/);
  assert.match(strict.tags.find((x) => x.name === 'pct')!.problem!, /removed in RFC 9989/);
  const lenient = await dmarc('a@pct.example', { result: null }, [], 'lenient');
  assert.equal(lenient.disposition, 'quarantine');
});

test('no record anywhere: result none, every _dmarc name of the walk is listed', async () => {
  const r = await dmarc('a@news.nowhere.example', { result: 'pass', domain: 'nowhere.example' }, []);
  assert.equal(r.result, 'none');
  assert.deepEqual(r.discovery.map((d) => d.name), ['_dmarc.news.nowhere.example', '_dmarc.nowhere.example', '_dmarc.example']);
  assert.ok(r.discovery.every((d) => !d.found));
});

test('a DNS failure in the Tree Walk is a temperror, not a missing record', async () => {
  const z = MemoryResolver.fromJson({ '_dmarc.example.org': { TXT: [['v=DMARC1; p=reject']] } });
  z.fail('_dmarc.sub.example.org', 'SERVFAIL');
  const msg = Buffer.from('From: a@sub.example.org\r\nSubject: t\r\n\r\nx\r\n');
  const dkimRaw = await mailauth.dkimVerify(msg, { resolver: toMailauthResolver(z) as never, strict: true });
  const { report } = await evaluateDmarcReport({ dkimRaw, spf: { result: null }, dkim: [], resolver: z, mode: 'strict' });
  assert.equal(report.result, 'temperror');
  assert.equal(report.discovery[0].name, '_dmarc.sub.example.org');
  assert.ok(report.steps.some((s) => s.title === 'Look up _dmarc.sub.example.org' && s.status === 'fail'));
});

test('with a recording resolver, each discovery step points at its entry in the query log', async () => {
  const { RecordingResolver } = await import('../electron/engine/dns/recorder.ts');
  const rec = new RecordingResolver(zone);
  const msg = Buffer.from('From: a@news.example.com\r\nSubject: t\r\n\r\nx\r\n');
  const dkimRaw = await mailauth.dkimVerify(msg, { resolver: toMailauthResolver(rec) as never, strict: true });
  const { report } = await evaluateDmarcReport({ dkimRaw, spf: { result: null }, dkim: [], resolver: rec, mode: 'strict' });
  assert.equal(report.discovery.length, 3);
  for (const d of report.discovery) {
    const entry = rec.log.find((e) => e.seq === d.dns);
    assert.ok(entry, `${d.name} has a log entry`);
    assert.equal(entry.name, d.name);
    assert.equal(entry.type, 'TXT');
  }
});
