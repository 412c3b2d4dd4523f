// The `authlab` CLI as a user runs it: real processes, real files, an offline what-if zone.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './helpers/paths.ts';
import { makeKey, signMessage, plainMessage, exampleZone, type TestKey } from './helpers/signed-message.ts';

let dir: string;
let key: TestKey;
let signed: string;
const zone = () => path.join(dir, 'example.zone');

function authlab(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/authlab.cjs'), ...args], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
    cwd: dir,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'authlab-cli-'));
  key = makeKey('rsa', 2048);
  signed = await signMessage(plainMessage(), 'example.com', 'sel1', key);
  writeFileSync(zone(), exampleZone('sel1', key));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a signed message from an authorised IP passes SPF, DKIM and DMARC (--json)', () => {
  const msg = file('signed.eml', signed);
  const r = authlab(['check', msg, '--zone', zone(), '--offline', '--json', '--at', '2026-11-24T10:05:00Z']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const j = JSON.parse(lines[0]);
  assert.equal(j.ok, true);
  assert.equal(j.envelope.ip, '192.0.2.10', 'client IP from the Received header');
  assert.equal(j.envelope.mailFrom, 'bounces@example.com', 'MAIL FROM from Return-Path');
  assert.equal(j.spf.result, 'pass');
  assert.equal(j.spf.domain, 'example.com');
  assert.equal(typeof j.spf.lookups.count, 'number');
  assert.equal(j.dkim.length, 1);
  assert.equal(j.dkim[0].result, 'pass');
  assert.equal(j.dkim[0].domain, 'example.com');
  assert.equal(j.dkim[0].selector, 'sel1');
  assert.equal(j.dkim[0].algorithm, 'rsa-sha256');
  assert.match(j.dkim[0].b, /^[A-Za-z0-9+/=]{100,}$/);
  assert.equal(typeof j.dkim[0].reason, 'string');
  assert.equal(j.dmarc.result, 'pass');
  assert.equal(j.dmarc.policy, 'reject');
  assert.equal(j.dmarc.fromDomain, 'example.com');
  assert.equal(j.dmarc.alignment.dkim[0].aligned, true);
  assert.equal(j.arc.result, 'none');
  assert.match(j.authenticationResults, /dkim=pass/);
  assert.match(j.authenticationResults, /spf=pass/);
  assert.match(j.authenticationResults, /dmarc=pass/);
  assert.ok(j.dns.length >= 3, 'the query log is part of the result');
  assert.ok(j.dns.every((q: { source: string }) => q.source === 'zone' || q.source === 'offline'));
});

test('human output explains the steps', () => {
  const msg = file('signed2.eml', signed);
  const r = authlab(['check', msg, '--zone', zone(), '--offline', '--no-color']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Authenticated: example\.com passes DMARC/);
  assert.match(r.stdout, /ip4:192\.0\.2\.0\/24/);
  assert.match(r.stdout, /Authentication-Results: authlab\.local;/);
});

test('--fail-on dkim exits 1 when the body was changed, and says why', () => {
  const tampered = signed.replace('the figures are attached', 'the figures are NOT attached');
  const msg = file('tampered.eml', tampered);
  const r = authlab(['check', msg, '--zone', zone(), '--offline', '--json', '--fail-on', 'dkim']);
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.dkim[0].result, 'fail');
  assert.match(j.dkim[0].reason, /body/i);
  assert.equal(j.dkim[0].headerSignature, 'valid', 'headers intact, body changed');
  assert.equal(j.dmarc.result, 'pass', 'SPF still aligns');
});

test('bad input exits 2 with a one-line specific message', () => {
  const cases: [string[], RegExp][] = [
    [['check', file('empty.eml', '')], /empty/i],
    [['check', file('junk.bin', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4096, 7)]))], /PNG|binary/i],
    [['check', path.join(dir, 'missing.eml')], /no such file/],
    [['check', '--bogus', 'x'], /bogus/],
    [['check', file('big.eml', signed), '--max-size', '0.001'], /limit|large/i],
    [['check', file('ok.eml', signed), '--ip', '999.1.1.1'], /999\.1\.1\.1/],
    [['check', file('ok2.eml', signed), '--zone', file('bad.zone', 'example.com. IN TXT "unterminated\n')], /bad\.zone|line 1/],
    [['frobnicate'], /unknown command/],
  ];
  for (const [args, re] of cases) {
    const r = authlab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('an mbox gives one JSON line per message; a broken one does not sink the others', async () => {
  const second = await signMessage(plainMessage({ subject: 'Second' }), 'example.com', 'sel1', key);
  const mbox = [
    'From alice@example.com Tue Nov 24 10:00:00 2026',
    signed.replace(/\r\n/g, '\n'),
    'From alice@example.com Tue Nov 24 10:01:00 2026',
    second.replace(/\r\n/g, '\n'),
    'From junk@example.com Tue Nov 24 10:02:00 2026',
    'this is not a message at all, there is no header here',
    '',
  ].join('\n');
  const r = authlab(['check', file('box.mbox', mbox), '--zone', zone(), '--offline', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.equal(lines[0].dkim[0].result, 'pass', 'LF mbox content is verified as CRLF, as it travelled');
  assert.equal(lines[1].input.subject, 'Second');
  assert.equal(lines[2].ok, false);
  assert.ok(lines[2].error.message.length > 10);
});

test('a larger mbox is evaluated on worker threads: the same JSON lines as in one thread (--workers 1)', async () => {
  const parts: string[] = [];
  for (let i = 0; i < 12; i++) {
    const msg = await signMessage(plainMessage({ subject: `Batch ${i}` }), 'example.com', 'sel1', key);
    parts.push(`From alice@example.com Tue Nov 24 10:${String(i).padStart(2, '0')}:00 2026\n${i === 7 ? msg.replace('Subject: Batch 7', 'Subject: Batch 7 (edited)') : msg}`);
  }
  const box = file('batch.mbox', parts.join('\n') + '\n');
  const args = ['check', box, '--zone', zone(), '--offline', '--json', '--at', '2026-11-24T10:05:00Z'];
  const pooled = authlab([...args, '--workers', '2']);
  const single = authlab([...args, '--workers', '1']);
  assert.equal(pooled.code, 0, pooled.stderr);
  assert.equal(single.code, 0, single.stderr);
  const lines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l, (k, v) => (k === 'ms' && typeof v === 'number' ? undefined : v)));
  assert.deepEqual(lines(pooled.stdout), lines(single.stdout));
  const verdicts = lines(pooled.stdout).map((j) => `${j.index}:${j.input.subject}:${j.dkim[0].result}`);
  assert.deepEqual(verdicts, parts.map((_, i) => `${i}:Batch ${i}${i === 7 ? ' (edited)' : ''}:${i === 7 ? 'fail' : 'pass'}`));
  assert.equal(authlab([...args, '--workers', '0']).code, 2, '--workers must be a positive number');
});

test('no client IP: SPF is not evaluated, never a made-up fail', () => {
  const noReceived = signed.replace(/^Received:[^]*?(?=Return-Path)/m, '');
  const r = authlab(['check', file('noip.eml', noReceived), '--zone', zone(), '--offline', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.spf.result, null);
  assert.match(j.spf.notEvaluated, /no client IP/);
  assert.equal(j.dmarc.result, 'pass', 'DKIM alone carries DMARC');
});

test("the null sender --mail-from '' is checked through the HELO identity", () => {
  const heloZone = file('helo.zone', readFileSync(zone(), 'utf8') + 'mail.example.com. IN TXT "v=spf1 a:mail.example.com -all"\nmail.example.com. IN A 192.0.2.10\n');
  const r = authlab(['check', file('bounce.eml', signed), '--zone', heloZone, '--offline', '--json', '--mail-from', '']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.envelope.mailFrom, '');
  assert.equal(j.spf.result, 'pass');
  assert.equal(j.spf.domain, 'mail.example.com');
  assert.equal(j.spf.helo.sender, 'postmaster@mail.example.com');
});

test('--save-dns then --replay-dns reproduces the verdict exactly, without the zone', () => {
  const msg = file('replay.eml', signed);
  const log = path.join(dir, 'dns.json');
  const a = authlab(['check', msg, '--zone', zone(), '--offline', '--json', '--save-dns', log, '--at', '2026-11-24T10:05:00Z']);
  assert.equal(a.code, 0, a.stderr);
  const b = authlab(['check', msg, '--replay-dns', log, '--json', '--at', '2026-11-24T10:05:00Z']);
  assert.equal(b.code, 0, b.stderr);
  const ja = JSON.parse(a.stdout);
  const jb = JSON.parse(b.stdout);
  const verdicts = (j: any) => ({ spf: j.spf.result, dkim: j.dkim.map((d: any) => d.result), dmarc: j.dmarc.result, ar: j.authenticationResults });
  assert.deepEqual(verdicts(jb), verdicts(ja));
  assert.ok(jb.dns.every((q: { source: string }) => q.source === 'replay'));
});

test('--save-dns to a folder that does not exist: the report is still printed, then a one-line error and exit 2', () => {
  const msg = file('replay-nowhere.eml', signed);
  const r = authlab(['check', msg, '--zone', zone(), '--offline', '--json', '--save-dns', path.join(dir, 'no-such-folder', 'dns.json')]);
  assert.equal(r.code, 2);
  assert.equal(JSON.parse(r.stdout).dmarc.result, 'pass', 'the verdicts are not lost');
  assert.match(r.stderr, /^authlab: --save-dns .*no-such-folder.*: cannot write the DNS log \(its folder does not exist\); the report above is complete\n$/);
});

test('--at after the signature expiry fails DKIM with the expiry as the reason', async () => {
  const expiring = await signMessage(plainMessage(), 'example.com', 'sel1', key, { expires: new Date('2026-11-25T10:00:00Z') });
  const msg = file('expiring.eml', expiring);
  const before = JSON.parse(authlab(['check', msg, '--zone', zone(), '--offline', '--json', '--at', '2026-11-24T12:00:00Z']).stdout);
  const afterX = JSON.parse(authlab(['check', msg, '--zone', zone(), '--offline', '--json', '--at', '2026-11-26T12:00:00Z']).stdout);
  assert.equal(before.dkim[0].result, 'pass');
  assert.notEqual(afterX.dkim[0].result, 'pass');
  assert.match(afterX.dkim[0].reason, /expir/i);
});

test('headers only: says what cannot be checked and still checks the header signature', () => {
  const headers = signed.slice(0, signed.indexOf('\r\n\r\n') + 2);
  const r = authlab(['check', '-', '--zone', zone(), '--offline', '--json'], headers);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.input.kind, 'headers-only');
  assert.ok(j.input.limitations.some((l: string) => /body/i.test(l)));
  assert.equal(j.dkim[0].headerSignature, 'valid');
});

test('text output shows, not obeys, control characters from the message: escapes, CR/LF line forgery, bidi overrides; a huge Subject is cut', () => {
  // RFC 2047 lets a Subject and a display name carry any bytes, ESC and CR/LF included
  const encoded = (text: string) => `=?utf-8?b?${Buffer.from(text).toString('base64')}?=`;
  const hostile = '\x1b]0;pwned\x07\x1b[2J\rDKIM  PASS\nDMARC  PASS \u202Etxt.exe';
  const msg = file('hostile.eml', `From: "${encoded(hostile)}" <a@example.com>\r\nSubject: ${encoded(hostile)}\r\nX-Long: y\r\n\r\nbody\r\n`);
  const r = authlab(['check', msg, '--zone', zone(), '--offline', '--ip', '192.0.2.1', '--helo', 'mail.example.com', '--mail-from', 'a@example.com']);
  assert.equal(r.code, 0, r.stderr);
  for (const c of ['\x1b', '\x07', '\r', '\u202E']) assert.ok(!r.stdout.includes(c), `no raw ${JSON.stringify(c)} in the output`);
  const title = r.stdout.split('\n')[0]!;
  assert.equal(title, 'Message 1: ␛]0;pwned␇␛[2J␍DKIM  PASS␊DMARC  PASS <U+202E>txt.exe');
  // the message has no DKIM signature: the only DKIM heading is the real one
  assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('DKIM  ')), ['DKIM  NONE'], 'no forged verdict line');
  // --json keeps the text as it is (JSON escapes control characters itself)
  const j = authlab(['check', msg, '--zone', zone(), '--offline', '--json']);
  assert.equal(JSON.parse(j.stdout).input.subject, hostile);
  assert.ok(!j.stdout.includes('\x1b'), 'JSON escapes ESC as \\u001b');

  const long = file('long-subject.eml', `From: a@example.com\r\nSubject: ${'s'.repeat(5000)}\r\n\r\nbody\r\n`);
  const l = authlab(['check', long, '--offline']);
  assert.equal(l.stdout.split('\n')[0], `Message 1: ${'s'.repeat(200)}… (4800 more characters)`);
});
