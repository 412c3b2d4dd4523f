import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runKeygen } from '../electron/cli/keygen.ts';
import { runSign } from '../electron/cli/sign.ts';
import { runKeys } from '../electron/cli/keys.ts';
import { UsageError } from '../electron/cli/usage-error.ts';
import { plainMessage } from './helpers/signed-message.ts';
import { startDnsServer } from './helpers/dns-server.ts';

const home = mkdtempSync(path.join(os.tmpdir(), 'authlab-cli-'));
const env = { AUTHLAB_HOME: home, AUTHLAB_PASSPHRASE: 'cli-test' };

async function run(fn: typeof runSign, argv: string[], o: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on('data', (d) => out.push(d));
  const stderr = new PassThrough().on('data', (d) => err.push(d));
  const code = await fn(argv, { stdout, stderr, stdin: Readable.from([o.stdin ?? '']), env: o.env ?? env });
  return { code, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() };
}

test('keygen → sign → keys list/show/export/delete', async () => {
  const rsa = await run(runKeygen, ['--domain', 'example.com', '--selector', 'r1']);
  assert.equal(rsa.code, 0);
  assert.match(rsa.out, /^key (k_[0-9a-f]{16}) \(rsa 2048 bits\) stored in .*keys\.json\npublish this record:\nr1\._domainkey\.example\.com\. IN TXT "v=DKIM1; k=rsa; p=/);
  const rsaId = /k_[0-9a-f]{16}/.exec(rsa.out)![0];
  const ed = JSON.parse((await run(runKeygen, ['--domain', 'example.com', '--selector', 'e1', '--type', 'ed25519', '--json'])).out);
  assert.equal(ed.type, 'ed25519');

  const msgFile = path.join(home, 'in.eml');
  writeFileSync(msgFile, plainMessage());
  // --domain alone: the newest RSA and Ed25519 keys, dual-signed; round trip printed on stderr
  const dual = await run(runSign, [msgFile, '--domain', 'example.com', '--over-sign', 'From:Subject', '--expire', '7d']);
  assert.equal(dual.code, 0, dual.err);
  assert.equal((dual.out.match(/^DKIM-Signature:/gm) ?? []).length, 2);
  assert.ok(dual.out.endsWith(plainMessage()));
  assert.match(dual.err, /round trip against the keys' records: PASS/);
  assert.match(dual.err, /dkim r1\._domainkey\.example\.com: pass/);
  assert.match(dual.err, /dkim e1\._domainkey\.example\.com: pass/);

  // stdin, one key by selector, ARC seal, --out written atomically, JSON report
  const out = path.join(home, 'out.eml');
  const sealed = await run(runSign, ['-', '--domain', 'example.com', '--selector', 'r1', '--canon', 'simple/simple', '--body-length', '--arc-seal', '--auth-results', 'mx.example.com; spf=pass smtp.mailfrom=example.com', '--out', out, '--json'], { stdin: plainMessage() });
  assert.equal(sealed.code, 0, sealed.err);
  assert.equal(sealed.out, '');
  const report = JSON.parse(sealed.err);
  assert.equal(report.roundTrip.pass, true);
  assert.equal(report.arc.instance, 1);
  assert.ok(report.warnings.some((w: { code: string }) => w.code === 'body-length'));
  assert.match(readFileSync(out, 'utf8'), /^ARC-Seal: i=1;[\s\S]*c=simple\/simple;[\s\S]*\bl=\d+/);

  // rules: a bounce with the null sender signed by the From domain's keys
  const rules = path.join(home, 'rules.json');
  writeFileSync(rules, JSON.stringify({ rules: [{ name: 'brand', match: { fromDomain: 'example.com' }, sign: 'from-domain' }] }));
  const ruled = await run(runSign, [msgFile, '--rules', rules, '--mail-from', '']);
  assert.equal(ruled.code, 0, ruled.err);
  assert.match(ruled.err, /rule: brand matched \(From domain example\.com matches example\.com\)/);
  assert.match(ruled.err, /alignment: d=example\.com is the From domain: aligned/);
  writeFileSync(msgFile + '2', plainMessage({ from: 'x@nokey.test' }));
  writeFileSync(rules, JSON.stringify({ rules: [{ name: 'all', match: { fromDomain: '*' }, sign: 'from-domain' }] }));
  await assert.rejects(run(runSign, [msgFile + '2', '--rules', rules]), (e: Error) => e instanceof UsageError && /all matched, but there is no key for nokey\.test/.test(e.message));

  const list = await run(runKeys, ['list']);
  assert.equal(list.out.trim().split('\n').length, 2);
  assert.match((await run(runKeys, ['show', rsaId])).out, /record: {4}r1\._domainkey\.example\.com TXT/);
  assert.match((await run(runKeys, ['export', rsaId])).out, /^-----BEGIN PRIVATE KEY-----/);
  // a key file exported and signed with directly, without the store
  const keyFile = path.join(home, 'k.pem');
  writeFileSync(keyFile, (await run(runKeys, ['export', rsaId])).out);
  const direct = await run(runSign, [msgFile, '--key', keyFile, '--domain', 'example.com', '--selector', 'r1'], { env: {} });
  assert.equal(direct.code, 0, direct.err);
  assert.equal((await run(runKeys, ['delete', ed.id])).out, `deleted ${ed.id}\n`);
  assert.equal((await run(runKeys, ['list', '--json'])).out.includes(ed.id), false);
});

test('bad usage is one line (UsageError, exit 2)', async () => {
  const msg = path.join(home, 'u.eml');
  writeFileSync(msg, plainMessage());
  const cases: [typeof runSign, string[], RegExp, NodeJS.ProcessEnv?][] = [
    [runKeygen, ['--domain', 'example.com'], /needs --domain and --selector/],
    [runKeygen, ['--domain', 'example.com', '--selector', 's', '--bits', '3000'], /--bits/],
    [runKeygen, ['--domain', 'example.com', '--selector', 's', '--type', 'dsa'], /--type/],
    [runKeygen, ['--domain', 'example.com', '--selector', 's'], /needs a passphrase/, { AUTHLAB_HOME: home }],
    [runKeys, ['list'], /wrong passphrase for the key store at/, { AUTHLAB_HOME: home, AUTHLAB_PASSPHRASE: 'nope' }],
    [runKeys, ['frobnicate'], /unknown keys command/],
    [runKeys, ['show', 'k_0000000000000000'], /no key with id/],
    [runSign, [msg], /no key/],
    [runSign, [msg, '--domain', 'example.com', '--canon', 'loose'], /--canon/],
    [runSign, [msg, '--domain', 'example.com', '--algorithm', 'rsa-sha1'], /RFC 8301/],
    [runSign, [msg, '--domain', 'example.com', '--expire', 'soon'], /--expire/],
    [runSign, [msg, '--domain', 'example.com', '--arc-seal'], /--auth-results/],
    [runSign, [msg, '--domain', 'nokey.test'], /no stored key for nokey\.test/],
    [runSign, [msg, '--domain', 'example.com', '--headers', 'To:Subject'], /From is not in the signed header list/],
    [runSign, [path.join(home, 'missing.eml'), '--domain', 'example.com'], /no such file/],
  ];
  for (const [fn, argv, re, e] of cases) {
    await assert.rejects(run(fn, argv, { env: e ?? env }), (err: Error) => {
      assert.ok(err instanceof UsageError, `${argv.join(' ')}: ${err.stack}`);
      assert.match(err.message, re, argv.join(' '));
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
  }
});

test('sign --arc-seal --cv auto --authserv-id: seals as an intermediary, hop after hop', async () => {
  const h = mkdtempSync(path.join(os.tmpdir(), 'authlab-arc-'));
  const e = { AUTHLAB_HOME: h, AUTHLAB_PASSPHRASE: 'arc-test' };
  const list = JSON.parse((await run(runKeygen, ['--domain', 'lists.example.org', '--selector', 's1', '--json'], { env: e })).out);
  await run(runKeygen, ['--domain', 'fwd.example.net', '--selector', 's2', '--json'], { env: e });
  const listZone = path.join(h, 'lists.zone');
  writeFileSync(listZone, list.dnsRecord + '\n');
  const file = (name: string, text: string) => (writeFileSync(path.join(h, name), text), path.join(h, name));
  const seal = (input: string, domain: string, selector: string, authserv: string, ...more: string[]) =>
    run(runSign, [input, '--domain', domain, '--selector', selector, '--arc-seal', '--authserv-id', authserv, '--cv', 'auto', '--offline', '--json', ...more], { env: e });

  // hop 1: the list's own Authentication-Results (two fields, merged; another receiver's left out)
  const in1 = file(
    'in1.eml',
    'Authentication-Results: lists.example.org; spf=pass smtp.mailfrom=alice@example.com\r\n' +
      'Authentication-Results: other.example; dmarc=fail\r\n' +
      'Authentication-Results: lists.example.org; dkim=pass (2048-bit key; verified) header.d=example.com\r\n' +
      plainMessage(),
  );
  const hop1 = await seal(in1, 'lists.example.org', 's1', 'lists.example.org');
  assert.equal(hop1.code, 0, hop1.err);
  const r1 = JSON.parse(hop1.err);
  assert.deepEqual([r1.arc.instance, r1.arc.cv, r1.arc.chain.result], [1, 'none', 'none']);
  assert.match(hop1.out, /^ARC-Authentication-Results: i=1; lists\.example\.org; spf=pass smtp\.mailfrom=alice@example\.com; dkim=pass \(2048-bit key; verified\) header\.d=example\.com\r\n/m);

  // hop 2: the forwarder validates the list's set (its key from --zone) and seals cv=pass
  const in2 = file('in2.eml', 'Authentication-Results: fwd.example.net; arc=pass\r\n' + hop1.out);
  const hop2 = await seal(in2, 'fwd.example.net', 's2', 'fwd.example.net', '--zone', listZone);
  assert.equal(hop2.code, 0, hop2.err);
  const r2 = JSON.parse(hop2.err);
  assert.deepEqual([r2.arc.instance, r2.arc.cv, r2.arc.chain.result, r2.roundTrip.pass, r2.roundTrip.arc.result], [2, 'pass', 'pass', true, 'pass']);

  // the same without the list's key: the chain fails on the missing key record, sealed cv=fail, exit 1
  const noKey = await seal(in2, 'fwd.example.net', 's2', 'fwd.example.net');
  assert.equal(noKey.code, 1);
  const r3 = JSON.parse(noKey.err);
  assert.equal(r3.arc.cv, 'fail');
  assert.match(r3.arc.chain.reason, /no key record for the ARC-Seal of set i=1/);
  // the DNS layer's message names the key; mailauth's " for <name>" is not added again
  assert.doesNotMatch(r3.arc.chain.reason, / for s1\._domainkey\.lists\.example\.org\)/);

  // a body changed after the list sealed: cv=fail; a chain already cv=fail is not sealed again
  const tampered = file('in3.eml', readFileSync(in2, 'utf8').replace(/\r\n\r\n([\s\S]*)$/, '\r\n\r\nchanged by the forwarder\r\n'));
  const hop3 = await seal(tampered, 'fwd.example.net', 's2', 'fwd.example.net', '--zone', listZone, '--out', path.join(h, 'hop3.eml'));
  assert.equal(hop3.code, 1);
  assert.match(JSON.parse(hop3.err).arc.chain.reason, /body hash did not verify/);
  await assert.rejects(seal(path.join(h, 'hop3.eml'), 'fwd.example.net', 's2', 'fwd.example.net', '--zone', listZone), (err: Error) => err instanceof UsageError && /i=2\) already says cv=fail/.test(err.message));

  // a key record the DNS server fails to give (SERVFAIL) is no broken chain: nothing is sealed,
  // where cv=fail would break the chain for good; the same record served, the seal says pass
  const keyTxt = { 's1._domainkey.lists.example.org': { TXT: [(list.dnsValue as string).match(/.{1,255}/g)] } }; // 255-octet strings
  const dnsServer = await startDnsServer({
    zone: keyTxt,
    behaviours: { 's1._domainkey.lists.example.org': 'servfail' },
  });
  try {
    await assert.rejects(
      run(runSign, [in2, '--domain', 'fwd.example.net', '--selector', 's2', '--arc-seal', '--authserv-id', 'fwd.example.net', '--cv', 'auto', '--dns', dnsServer.server], { env: e }),
      (err: Error) => err instanceof UsageError && /key record s1\._domainkey\.lists\.example\.org could not be fetched \(SERVFAIL: 127\.0\.0\.1:\d+ answered SERVFAIL\)/.test(err.message),
    );
    assert.ok(dnsServer.count(undefined, 's1._domainkey.lists.example.org') >= 1, 'the record was asked for');
  } finally {
    await dnsServer.close();
  }
  const served = await startDnsServer({ zone: keyTxt });
  try {
    const live = await run(runSign, [in2, '--domain', 'fwd.example.net', '--selector', 's2', '--arc-seal', '--authserv-id', 'fwd.example.net', '--cv', 'auto', '--dns', served.server, '--json'], { env: e });
    assert.deepEqual([JSON.parse(live.err).arc.cv, JSON.parse(live.err).arc.chain.result], ['pass', 'pass']);
  } finally {
    await served.close();
  }

  // text output names the chain found
  const text = await run(runSign, [in2, '--domain', 'fwd.example.net', '--selector', 's2', '--arc-seal', '--authserv-id', 'fwd.example.net', '--cv', 'auto', '--offline', '--zone', listZone], { env: e });
  assert.match(text.err, /^chain on the message: pass \(The ARC chain of 1 set validates/m);
  assert.match(text.err, /^sealed: ARC i=2 cv=pass$/m);

  for (const [argv, re] of [
    [[in1, '--domain', 'lists.example.org', '--arc-seal', '--authserv-id', 'nobody.example'], /no Authentication-Results field from nobody\.example/],
    [[in1, '--domain', 'lists.example.org', '--arc-seal', '--authserv-id', 'x', '--auth-results', 'x; spf=pass'], /not both/],
    [[in1, '--domain', 'lists.example.org', '--arc-seal', '--authserv-id', 'lists.example.org', '--offline'], /--dns and --offline are for --cv auto/],
    [[in1, '--domain', 'lists.example.org', '--zone', listZone], /--zone goes with --arc-seal/],
    [[in1, '--domain', 'lists.example.org', '--arc-seal', '--authserv-id', 'lists.example.org', '--cv', 'maybe'], /--cv: "maybe"/],
    [[in1, '--domain', 'lists.example.org', '--arc-seal', '--authserv-id', 'lists.example.org', '--arc-headers', 'Subject:To'], /--arc-headers: From is not in the list/],
    [[file('junk.eml', 'From: a@example.com\r\n\r\n\u0000\u0001binary'), '--domain', 'lists.example.org', '--arc-seal', '--auth-results', 'x; spf=pass', '--cv', 'auto', '--offline'], /the ARC chain on the message could not be validated: .*NUL/],
    [[in1, '--domain', 'lists.example.org', '--arc-seal', '--authserv-id', 'lists.example.org', '--cv', 'auto', '--zone', file('bad.zone', 'x IN TXT "unclosed\n')], /zone .*bad\.zone, line 1: quoted string is not closed/],
  ] as [string[], RegExp][]) {
    await assert.rejects(run(runSign, argv, { env: e }), (err: Error) => err instanceof UsageError && re.test(err.message) && !err.message.includes('\n'), argv.join(' '));
  }
});
