// Interop with dkimpy: messages signed by Debian's python3-dkim verify here, and tampered
// copies fail for the right reason.

import test from 'node:test';
import assert from 'node:assert/strict';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { parseHeaderBlock } from '../electron/engine/input/headers.ts';
import { verifyDkim } from '../electron/engine/dkim/dkim-verify.ts';
import type { DkimSignatureReport, VerifyMode } from '../shared/report.ts';
import { dkimpySign, findDkimPython, makeKeys, type SignOptions } from './helpers/dkim-dkimpy.ts';

const python = findDkimPython();
const skip = python ? false : 'dkimpy is not installed (python3 -c "import dkim" fails): apt-get install python3-dkim';

const MESSAGE = Buffer.from(
  [
    'Received: from mail.example.org (mail.example.org [192.0.2.10])',
    '\tby mx.example.net with ESMTPS id 4Xy; Tue, 10 Jun 2025 09:12:01 +0000',
    'From: "Alice Example" <alice@example.org>',
    'To: Bob <bob@example.net>',
    'Subject: Quarterly report',
    '  (draft 2)',
    'Date: Tue, 10 Jun 2025 09:12:00 +0000',
    'Message-ID: <20250610091200.1234@example.org>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hi Bob,',
    '',
    'Here are the figures:\t  Q1  12 ',
    'and  Q2   15. Caf\u00e9 numbers follow.',
    '',
    'Regards,',
    'Alice',
    '',
    '',
  ].join('\r\n'),
  'utf8',
);
const SIGNED_HEADERS = ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type'];
const NOW = new Date();

function replace(msg: Buffer, from: string, to: string): Buffer {
  const s = msg.toString('latin1');
  assert.ok(s.includes(from), `message has ${from}`);
  return Buffer.from(s.replace(from, to), 'latin1');
}

async function verify(message: Buffer, resolver: MemoryResolver, mode: VerifyMode = 'strict', headersOnly = false): Promise<DkimSignatureReport> {
  const { reports } = await verifyDkim({ message, headers: parseHeaderBlock(message), resolver, now: NOW, mode, headersOnly });
  assert.equal(reports.length, 1);
  return reports[0];
}

test('dkimpy interop', { skip }, async (t) => {
  const keys = makeKeys();
  t.after(() => keys.cleanup());
  const resolver = new MemoryResolver();
  resolver.add('rsa2048._domainkey.example.org', { type: 'TXT', data: [keys.rsaDns.slice(0, 200), keys.rsaDns.slice(200)] });
  resolver.add('ed._domainkey.example.org', { type: 'TXT', data: [keys.edDns] });
  const rsa = (c: string, extra: Partial<SignOptions> = {}): SignOptions => ({ key: keys.rsaPem, alg: 'rsa-sha256', c, s: 'rsa2048', d: 'example.org', headers: SIGNED_HEADERS, ...extra });
  const ed = (c: string): SignOptions => ({ key: keys.edSeed, alg: 'ed25519-sha256', c, s: 'ed', d: 'example.org', headers: SIGNED_HEADERS });

  const now = Math.floor(NOW.getTime() / 1000);
  const variants = [rsa('relaxed/relaxed'), rsa('simple/simple'), ed('relaxed/relaxed'), ed('simple/simple')];
  const jobs: SignOptions[] = [
    ...variants,
    rsa('relaxed/relaxed', { l: true }),
    rsa('relaxed/relaxed', { t: now - 2 * 86400, x: now - 86400 }),
    rsa('relaxed/relaxed', { headers: ['from', 'from', ...SIGNED_HEADERS.slice(1)] }),
  ];
  const signed = dkimpySign(python!, keys, jobs.map((opts) => ({ message: MESSAGE, opts })));
  const [rsaRelaxed, , edRelaxed] = signed;
  const [withL, withX, overSigned] = signed.slice(variants.length);

  for (const [i, opts] of variants.entries()) {
    await t.test(`${opts.alg} ${opts.c} passes`, async () => {
      for (const mode of ['strict', 'lenient'] as const) {
        const r = await verify(signed[i], resolver, mode);
        assert.equal(r.result, 'pass', `${mode}: ${r.reason}`);
        assert.equal(r.headerSignature, 'valid');
        assert.equal(r.body?.matches, true);
        assert.equal(r.key?.bits, opts.alg === 'rsa-sha256' ? 2048 : 256);
        assert.equal(r.canonicalization.header, opts.c.split('/')[0]);
        assert.ok(r.canonicalHeaders?.startsWith(opts.c.startsWith('relaxed') ? 'from:"Alice Example" <alice@example.org>\r\n' : 'From: "Alice Example" <alice@example.org>\r\n'));
        assert.ok(r.canonicalHeaders?.includes(opts.c.startsWith('relaxed') ? '\r\ndkim-signature:v=1;' : '\r\nDKIM-Signature: v=1;'));
        assert.ok(r.body?.preview?.startsWith('Hi Bob,\r\n\r\n'));
        assert.deepEqual(r.steps.map((s) => s.status).filter((s) => s === 'fail'), []);
      }
    });
  }

  await t.test('relaxed preview collapses whitespace as hashed', async () => {
    const r = await verify(rsaRelaxed, resolver);
    assert.ok(r.body?.preview?.includes('Here are the figures: Q1 12\r\nand Q2 15.'), r.body?.preview);
    assert.ok(r.body?.preview?.endsWith('Alice\r\n'), 'trailing empty lines dropped');
  });

  await t.test('l= covers the body as signed; appended text is reported unsigned', async () => {
    const r = await verify(withL, resolver);
    assert.equal(r.result, 'pass', r.reason);
    assert.equal(r.body?.unsignedBytes, 0);
    const appended = Buffer.concat([withL, Buffer.from('--\r\nList footer: unsubscribe at https://list.example/\r\n')]);
    const r2 = await verify(appended, resolver);
    assert.equal(r2.result, 'pass', r2.reason);
    assert.ok((r2.body?.unsignedBytes ?? 0) > 40, `unsigned bytes: ${r2.body?.unsignedBytes}`);
    assert.match(r2.reason, /not signed/);
    assert.equal(r2.steps.find((s) => s.title === 'Body hash')?.status, 'warn');
  });

  await t.test('a changed body line fails on the body hash with the headers intact', async () => {
    for (const mode of ['strict', 'lenient'] as const) {
      const r = await verify(replace(rsaRelaxed, 'and  Q2   15.', 'and  Q2   51.'), resolver, mode);
      assert.equal(r.result, 'fail', r.reason);
      assert.match(r.reason, /body hash/);
      assert.match(r.reason, /headers intact, body changed/);
      assert.equal(r.headerSignature, 'valid');
      assert.equal(r.body?.matches, false);
      assert.notEqual(r.body?.computedHash, r.body?.expectedHash);
    }
  });

  await t.test('a changed Subject fails on the header signature', async () => {
    const r = await verify(replace(edRelaxed, 'Subject: Quarterly report', 'Subject: Quarterly invoice'), resolver);
    assert.equal(r.result, 'fail', r.reason);
    assert.equal(r.headerSignature, 'invalid');
    assert.equal(r.body?.matches, true);
    assert.equal(r.steps.find((s) => s.title === 'Header signature')?.status, 'fail');
    const both = await verify(replace(replace(edRelaxed, 'Subject: Quarterly report', 'Subject: Quarterly invoice'), 'Alice\r\n', 'Mallory\r\n'), resolver);
    assert.equal(both.result, 'fail');
    assert.match(both.reason, /headers changed too/);
  });

  await t.test('an expired x= does not pass (RFC 6376 §6.1.1 PERMFAIL, reported as neutral)', async () => {
    const r = await verify(withX, resolver);
    assert.equal(r.result, 'neutral', r.reason);
    assert.match(r.reason, /signature expired at \d{4}-/);
    assert.equal(r.headerSignature, 'valid');
    assert.match(r.time.problem ?? '', /expired/);
    // the same signature is fine while it is valid
    const { reports } = await verifyDkim({ message: withX, headers: parseHeaderBlock(withX), resolver, now: new Date((now - 2 * 86400 + 60) * 1000), mode: 'strict' });
    assert.equal(reports[0].result, 'pass', reports[0].reason);
  });

  await t.test('a From added above the signed one is a warning, not a failure', async () => {
    const spoofed = Buffer.concat([Buffer.from('From: "CEO" <ceo@example.org>\r\n'), rsaRelaxed]);
    const r = await verify(spoofed, resolver);
    assert.equal(r.result, 'pass', r.reason);
    assert.ok(r.headers.unsignedImportant.some((h) => h.startsWith('From (1 unsigned copy')), r.headers.unsignedImportant.join());
    const step = r.steps.find((s) => s.title === 'Signed header fields (h=)');
    assert.equal(step?.status, 'warn');
    assert.ok(step?.source?.some((s) => s.start === 0), 'the added From is pointed at');
  });

  await t.test('over-signed From is reported as protection', async () => {
    const r = await verify(overSigned, resolver);
    assert.equal(r.result, 'pass', r.reason);
    assert.equal(r.headers.analysis.find((a) => a.name === 'From')?.status, 'over-signed');
    const spoofed = await verify(Buffer.concat([Buffer.from('From: x@example.org\r\n'), overSigned]), resolver);
    assert.equal(spoofed.result, 'fail', 'an added From breaks an over-signed signature');
    assert.equal(spoofed.headerSignature, 'invalid');
  });

  await t.test('headers-only input checks the header signature against bh= as given', async () => {
    const headerBlock = rsaRelaxed.subarray(0, rsaRelaxed.indexOf('\r\n\r\n') + 2);
    const r = await verify(headerBlock, resolver, 'strict', true);
    assert.equal(r.result, 'neutral', r.reason);
    assert.equal(r.headerSignature, 'valid');
    assert.match(r.reason, /headers-only: the header signature is valid for the bh= given; the body was not checked/);
    assert.equal(r.body?.computedHash, undefined);
    assert.equal(r.steps.find((s) => s.title === 'Body hash')?.status, 'skip');
    const tampered = await verify(replace(headerBlock, 'To: Bob', 'To: Eve'), resolver, 'strict', true);
    assert.equal(tampered.headerSignature, 'invalid');
    assert.equal(tampered.result, 'fail', tampered.reason);
  });
});
