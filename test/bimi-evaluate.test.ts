// BIMI on a hand-made zone: the DMARC prerequisites (pass, enforcing policy), the selector,
// the record's l= and a=, a declination, and no record. Only DNS is used: the logo and the
// mark certificate are never fetched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import mailauth from 'mailauth';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { toMailauthResolver } from '../electron/engine/dns/mailauth-adapter.ts';
import { parseHeaderBlock } from '../electron/engine/input/headers.ts';
import { evaluateDmarcReport } from '../electron/engine/dmarc/dmarc-evaluate.ts';
import { evaluateBimiReport } from '../electron/engine/bimi/bimi-evaluate.ts';
import type { DnsAnswer, RRType } from '../shared/dns.ts';

const zone = MemoryResolver.fromJson({
  '_dmarc.brand.example': { TXT: [['v=DMARC1; p=reject']] },
  'default._bimi.brand.example': { TXT: [['v=BIMI1; l=https://brand.example/logo.svg; a=https://brand.example/vmc.pem']] },
  'spring._bimi.brand.example': { TXT: [['v=BIMI1; l=https://brand.example/spring.svg']] },
  'quiet._bimi.brand.example': { TXT: [['v=BIMI1; l=; a=;']] },
  '_dmarc.lax.example': { TXT: [['v=DMARC1; p=none']] },
  'default._bimi.lax.example': { TXT: [['v=BIMI1; l=https://lax.example/logo.svg']] },
  '_dmarc.nobimi.example': { TXT: [['v=DMARC1; p=quarantine']] },
});

async function bimiFor(from: string, spfPass: boolean, extraHeaders = '') {
  const queries: string[] = [];
  const resolver = {
    query(name: string, type: RRType): Promise<DnsAnswer> {
      queries.push(`${type} ${name}`);
      return zone.query(name, type);
    },
  };
  const msg = Buffer.from(`From: ${from}\r\n${extraHeaders}Subject: t\r\n\r\nhello\r\n`);
  const dkimRaw = await mailauth.dkimVerify(msg, { resolver: toMailauthResolver(resolver) as never, strict: true });
  const domain = from.replace(/^.*@/, '').replace(/>.*$/, '');
  const dmarc = await evaluateDmarcReport({ dkimRaw, spf: { result: spfPass ? 'pass' : 'fail', domain }, dkim: [], resolver, mode: 'strict' });
  const out = await evaluateBimiReport({ dmarcRaw: dmarc.raw, headers: parseHeaderBlock(msg), dkimRaw, resolver, mode: 'strict' });
  return { ...out, queries };
}

test('DMARC pass with p=reject: the default selector record is found, with its logo and certificate URLs', async () => {
  const { report, queries } = await bimiFor('a@brand.example', true);
  assert.equal(report.result, 'pass');
  assert.equal(report.selector, 'default');
  assert.equal(report.location, 'https://brand.example/logo.svg');
  assert.equal(report.authority, 'https://brand.example/vmc.pem');
  assert.match(report.record!, /^v=BIMI1;/);
  assert.match(report.reason, /not downloaded here/);
  assert.ok(queries.includes('TXT default._bimi.brand.example'));
  assert.ok(queries.every((q) => /^(TXT|A|AAAA|CNAME) /.test(q)), 'DNS only');
});

test('a BIMI-Selector header picks another record; a declination is reported as declined', async () => {
  const spring = await bimiFor('a@brand.example', true, 'BIMI-Selector: v=BIMI1; s=spring\r\n');
  assert.equal(spring.report.result, 'pass');
  assert.equal(spring.report.selector, 'spring');
  assert.equal(spring.report.location, 'https://brand.example/spring.svg');
  assert.equal(spring.report.authority, undefined);
  assert.ok(spring.report.steps.some((s) => s.title === 'Selector' && s.source?.length === 1));
  const quiet = await bimiFor('a@brand.example', true, 'BIMI-Selector: v=BIMI1; s=quiet\r\n');
  assert.equal(quiet.report.result, 'declined');
});

test('BIMI is skipped without an enforcing DMARC pass, and says why', async () => {
  const failed = await bimiFor('a@brand.example', false);
  assert.equal(failed.report.result, 'skipped');
  assert.match(failed.report.reason, /BIMI needs a DMARC pass .*p=quarantine or p=reject.*100%.*did not pass DMARC/);
  const lax = await bimiFor('a@lax.example', true);
  assert.equal(lax.report.result, 'skipped');
  assert.match(lax.report.reason, /not enforcing/);
  assert.ok(!lax.queries.some((q) => q.includes('_bimi.')), 'no BIMI lookup when the prerequisites fail');
  const multi = await bimiFor('a@brand.example, b@lax.example', true);
  assert.equal(multi.report.result, 'skipped');
  assert.match(multi.report.reason, /DMARC was not evaluated/);
});

test('no BIMI record: none', async () => {
  const { report } = await bimiFor('a@nobimi.example', true);
  assert.equal(report.result, 'none');
  assert.match(report.reason, /No BIMI record for the selector "default"/);
});
