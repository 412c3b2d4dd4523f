// The synthetic DMARC cases of ValiMail/authentication-headers (../shared/samples/messages/
// authentication-headers): policy selection (p, sp, np), the PSD Tree Walk, a record without p=,
// a broken record, multi-From. Where authheaders (written to RFC 7489 and a DMARCbis draft)
// disagrees with RFC 9989, strict mode follows RFC 9989 and the test says why.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mailauth from 'mailauth';
import { sharedData } from './helpers/paths.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { toMailauthResolver } from '../electron/engine/dns/mailauth-adapter.ts';
import { evaluateDmarcReport } from '../electron/engine/dmarc/dmarc-evaluate.ts';
import type { AuthResult, VerifyMode } from '../shared/report.ts';

const { dir: base, skip } = sharedData('samples/messages');
const dir = path.join(base, 'authentication-headers');

async function run(file: string, mode: VerifyMode = 'strict') {
  const resolver = MemoryResolver.fromJson(JSON.parse(readFileSync(path.join(dir, 'dns.json'), 'utf8')));
  // stored with LF: converted to CRLF as the message travels over SMTP
  const msg = Buffer.from(readFileSync(path.join(dir, file), 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  const dkimRaw = await mailauth.dkimVerify(msg, { resolver: toMailauthResolver(resolver) as never, strict: mode === 'strict' });
  const dkim = dkimRaw.results
    .filter((r) => r.signingDomain)
    .map((r, i) => ({ index: i + 1, domain: r.signingDomain, result: r.status.result as AuthResult }));
  // the source's calls pass spf=false: no SPF identity
  return evaluateDmarcReport({ dkimRaw, spf: { result: null }, dkim, resolver, mode });
}

test('test.message_signed and testcomma.message: aligned DKIM pass, p=reject', { skip }, async () => {
  for (const file of ['test.message_signed', 'testcomma.message']) {
    const { report, raw } = await run(file);
    assert.equal(report.result, 'pass', file);
    assert.equal(report.fromDomain, 'example.com');
    assert.equal(report.policy, 'reject');
    assert.equal(report.disposition, 'none', 'a pass is delivered');
    assert.equal(report.recordDomain, 'example.com');
    assert.deepEqual(report.alignment.dkim.map((c) => [c.domain, c.aligned]), [['example.com', true]]);
    assert.match(report.alignment.dkim[0].reason, /is the From domain itself/);
    assert.ok(raw && raw.status.policy?.dmarc === 'reject');
  }
});

test('test.message_sub: sp= of the organisational domain applies (fail, reject)', { skip }, async () => {
  const { report } = await run('test.message_sub');
  assert.equal(report.result, 'fail');
  assert.equal(report.fromDomain, 'sub.example.net');
  assert.equal(report.recordDomain, 'example.net');
  assert.equal(report.orgDomain, 'example.net');
  assert.equal(report.policy, 'reject');
  assert.equal(report.disposition, 'reject');
  assert.deepEqual(report.discovery.map((d) => [d.name, d.found]), [
    ['_dmarc.sub.example.net', false],
    ['_dmarc.example.net', true],
    ['_dmarc.net', false],
  ]);
  // d=example.com signed, but it fails and is in another organisational domain
  assert.equal(report.alignment.dkim[0].aligned, false);
});

test('test.message_np1 / np2: np= for a non-existent subdomain, sp= for an existing one', { skip }, async () => {
  const np1 = await run('test.message_np1');
  assert.equal(np1.report.result, 'fail');
  assert.equal(np1.report.policy, 'reject', 'sub.example.biz is NXDOMAIN: np=reject');
  assert.ok(np1.report.steps.some((s) => /np=reject: sub\.example\.biz does not exist/.test(s.detail)));
  const np2 = await run('test.message_np2');
  assert.equal(np2.report.result, 'fail');
  assert.equal(np2.report.policy, 'quarantine', 'sub2.example.biz exists: sp=quarantine');
  assert.equal(np2.report.disposition, 'quarantine');
});

test('test.gov.message: PSD Tree Walk, organisational domain one label below the PSD (fail, reject)', { skip }, async () => {
  const { report } = await run('test.gov.message');
  assert.equal(report.result, 'fail');
  assert.equal(report.fromDomain, 'example.gov');
  assert.equal(report.orgDomain, 'example.gov');
  assert.equal(report.recordDomain, 'gov');
  assert.equal(report.policy, 'reject', 'example.gov does not exist: np=reject of the PSD record');
  assert.deepEqual(report.discovery.map((d) => d.name), ['_dmarc.example.gov', '_dmarc.gov']);
  assert.ok(report.tags.some((t) => t.name === 'psd' && /public suffix/.test(t.meaning)));
});

test('test_nop.message: a record without p= and without rua= gets no DMARC processing (none)', { skip }, async () => {
  const { report } = await run('test_nop.message');
  assert.equal(report.result, 'none');
  assert.equal(report.fromDomain, 'nop.example.org', 'the From domain is compared in lower case');
  assert.equal(report.policy, undefined);
});

test('test.bad.message: a syntax error in the record is skipped, p=none applies (RFC 9989 §4.7)', { skip }, async () => {
  // authheaders answers permerror. RFC 9989 ignores syntax errors after v= and p=, so the
  // record is p=none; no identifier aligns, so the result is fail and the policy none.
  const { report } = await run('test.bad.message');
  assert.equal(report.result, 'fail');
  assert.equal(report.policy, 'none');
  assert.equal(report.disposition, 'none');
  const bad = report.tags.find((t) => t.value === 'reject');
  assert.ok(bad?.problem && /syntax error/.test(bad.problem));
});

test('multi-From and no-From messages: DMARC not evaluated, said as an error (RFC 9989 §5.3.1)', { skip }, async () => {
  // authheaders reports dmarc=fail for example.com (multi) and permerror (no From); RFC 9989
  // says DMARC cannot be evaluated with more than one Author Domain or none.
  for (const file of ['test.message_multi', 'test.message_multi2']) {
    const { report, raw } = await run(file);
    assert.equal(raw, false);
    assert.equal(report.result, null);
    assert.deepEqual([...report.fromDomains].sort(), ['example.com', 'example.org']);
    assert.match(report.notEvaluated!, /^RFC 9989 §5\.3\.1: .*different domains.*error/);
  }
  const { report } = await run('test.nofrom.message');
  assert.equal(report.result, null);
  assert.match(report.notEvaluated!, /^RFC 9989 §5\.3\.1: no From address/);
});

test('blaze 001-004: DMARC pass as blaze expects, through whichever identifier aligns', { skip }, async () => {
  const bdir = path.join(base, 'blaze');
  const resolver = MemoryResolver.fromJson(JSON.parse(readFileSync(path.join(bdir, 'dns.json'), 'utf8')));
  // the SPF verdicts blaze's own SPF test gives for these envelopes (manifest → expect.spf)
  const cases = [
    { file: '001.mail', from: 'github.com', spf: { result: 'pass' as const, domain: 'sgmail.github.com' }, by: /SPF \(sgmail\.github\.com\)/ },
    { file: '002.mail', from: 'github.com', spf: { result: 'pass' as const, domain: 'github.com' }, by: /DKIM signature 1 \(d=github\.com\)/ },
    { file: '003.mail', from: 'janestreet.com', spf: { result: 'fail' as const, domain: 'janestreet.com' }, by: /^DMARC passes: DKIM signature 1 \(d=janestreet\.com\)/ },
    { file: '004.mail', from: 'discoursemail.com', spf: { result: 'pass' as const, domain: 'discoursemail.com' }, by: /SPF \(discoursemail\.com\)/ },
  ];
  for (const c of cases) {
    const msg = Buffer.from(readFileSync(path.join(bdir, c.file), 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
    const dkimRaw = await mailauth.dkimVerify(msg, { resolver: toMailauthResolver(resolver) as never, strict: true });
    const dkim = dkimRaw.results
      .filter((r) => r.signingDomain)
      .map((r, i) => ({ index: i + 1, domain: r.signingDomain, result: r.status.result as AuthResult }));
    const { report } = await evaluateDmarcReport({ dkimRaw, spf: c.spf, dkim, resolver, mode: 'strict' });
    assert.equal(report.result, 'pass', c.file);
    assert.equal(report.fromDomain, c.from, c.file);
    assert.match(report.reason, c.by, c.file);
    if (c.file === '001.mail') {
      // rsa-sha1 signatures do not pass under RFC 8301, so only SPF aligns; the reason says so
      assert.ok(report.alignment.dkim.every((a) => !a.aligned && /did not pass/.test(a.reason)));
    }
  }
});
