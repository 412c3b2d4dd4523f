import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readInput, HEADERS_ONLY_LIMITATIONS } from '../electron/engine/input/message-input.ts';
import type { InputItemOk } from '../electron/engine/input/message-input.ts';
import { InputError } from '../electron/engine/input/input-error.ts';
import { sharedData } from './helpers/paths.ts';

const MSG = [
  'Received: from mail.example.org (mail.example.org [192.0.2.10]) by mx.example.net (Postfix) with ESMTPS id 4AB; Tue, 2 Jan 2024 10:00:05 +0000',
  'From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>',
  'To: you@example.net',
  'Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus Berlin',
  'Date: Tue, 2 Jan 2024 10:00:00 +0000',
  'Message-ID: <abc@example.org>',
  '',
  'Hello.',
  '',
].join('\r\n');

function rejects(input: Uint8Array | string, code: string, re: RegExp, opts = {}) {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  assert.throws(
    () => readInput(bytes, opts),
    (e: unknown) => {
      assert.ok(e instanceof InputError, 'an InputError');
      assert.equal(e.code, code);
      assert.match(e.message, re);
      return true;
    },
  );
}

function one(input: string | Buffer, opts = {}): InputItemOk {
  const split = readInput(typeof input === 'string' ? Buffer.from(input, 'utf8') : input, opts);
  assert.equal(split.container, 'message');
  assert.equal(split.items.length, 1);
  const item = split.items[0];
  assert.ok(item.ok);
  return item;
}

test('empty and whitespace-only inputs are rejected', () => {
  rejects(new Uint8Array(0), 'empty', /empty/);
  rejects(' \r\n\t\n  \n', 'empty', /only whitespace \(8 bytes\)/);
});

test('binary junk is rejected and named', () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(4000)]);
  rejects(png, 'binary', /looks like a PNG image/);
  rejects(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(100)]), 'binary', /PDF document/);
  rejects(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), 'binary', /gzip/);
  rejects(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), 'binary', /ELF executable/);
  rejects(Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), randomBytes(50)]), 'binary', /ZIP archive/);
  rejects(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'binary', /JPEG/);
  // random bytes with no magic number: NUL bytes or control bytes give them away
  rejects(Buffer.concat([Buffer.from('Subject: x\r\n\r\n'), Buffer.from([1, 2, 0, 3])]), 'binary', /NUL bytes \(the first at byte 16\)/);
  const noNul = Buffer.from(randomBytes(20000).map((b) => (b === 0 ? 1 : b)));
  rejects(noNul, 'binary', /control bytes/);
});

test('control bytes: each kind that text mail never has counts, the five it has (tab, LF, FF, CR, ESC) do not', () => {
  const text = (filler: string) => Buffer.from(`Subject: x\r\nFrom: a@example.org\r\n\r\n${filler}\r\n`, 'latin1');
  const spread = (byte: number) => Array.from({ length: 400 }, () => `word${String.fromCharCode(byte)}`).join(' ');
  for (const byte of [0x01, 0x08, 0x0b, 0x0e, 0x1a, 0x1c, 0x1f, 0x7f]) rejects(text(spread(byte)), 'binary', /control bytes/);
  for (const byte of [0x09, 0x0a, 0x0c, 0x0d, 0x1b]) assert.equal(one(text(spread(byte))).summary.kind, 'message', `byte ${byte}`);
  // one stray control byte in a long message is below the share that makes it binary
  assert.equal(one(text(`${'plain text '.repeat(500)}\x07${'more text '.repeat(500)}`)).summary.kind, 'message');
});

test('8-bit text in another charset is not mistaken for binary', () => {
  const latin1 = Buffer.from(`Subject: caf\xe9\r\nFrom: a@example.org\r\n\r\n${'Gr\xfc\xdfe aus M\xfcnchen. '.repeat(200)}\r\n`, 'latin1');
  const item = one(latin1);
  assert.equal(item.summary.kind, 'message');
  // raw ISO-2022-JP uses ESC sequences
  one(Buffer.from('Subject: x\r\nFrom: a@example.org\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B\r\n', 'latin1'));
});

test('text without header fields is rejected with what it looks like', () => {
  rejects('<!DOCTYPE html><html><body>hi</body></html>\n', 'no-headers', /looks like an HTML document/);
  rejects('Dear team,\nplease find the report attached.\nRegards\n', 'no-headers', /starts with “Dear team,”/);
  // DNS records and reports pasted where a message goes: said what they are and where they belong
  rejects('v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDk\n', 'no-headers', /looks like a DKIM key record; records go in a what-if zone/);
  rejects('k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n', 'no-headers', /looks like a DKIM key record/);
  rejects('"v=spf1 ip4:192.0.2.0/24 include:_spf.example.com -all"\n', 'no-headers', /looks like an SPF record/);
  rejects('v=DMARC1; p=reject; rua=mailto:d@example.com\n', 'no-headers', /looks like a DMARC record/);
  rejects('$ORIGIN example.com.\n@ 300 IN TXT "v=spf1 -all"\n', 'no-headers', /looks like a DNS zone file; give it with --zone/);
  rejects('sel1._domainkey.example.com. 300 IN TXT "v=DKIM1; p=QUJD"\n', 'no-headers', /looks like a DNS zone file/);
  rejects('_dmarc.example.com 3600 TXT "v=DMARC1; p=none"\n', 'no-headers', /looks like a DNS zone file/);
  rejects('Dear A team,\nthe figures.\n', 'no-headers', /starts with “Dear A team,”/);
  rejects('<?xml version="1.0"?>\n<feedback>\n<report_metadata><org_name>google.com</org_name></report_metadata>\n', 'no-headers', /looks like a DMARC aggregate report/);
});

test('too large: size and limit said in MB, decided before reading', () => {
  rejects(Buffer.from(MSG), 'too-large', new RegExp(`^The input is ${MSG.length} bytes, over the 100 bytes limit\\.$`), { maxBytes: 100 });
  rejects(Buffer.alloc(2_500_000, 0x41), 'too-large', /is 2\.38 MB \(2500000 bytes\), over the 2 MB limit/, { maxBytes: 2 * 1024 * 1024 });
  rejects(Buffer.alloc(3 * 1024 * 1024, 0x41), 'too-large', /is 3 MB \(3145728 bytes\), over the 2 MB limit/, { maxBytes: 2 * 1024 * 1024 });
  const big = Buffer.alloc(100 * 1024 * 1024 + 1); // zero-filled: would be "binary" if it were read
  const t0 = performance.now();
  rejects(big, 'too-large', /100\.0 MB \(104857601 bytes\), over the 100 MB limit/);
  assert.ok(performance.now() - t0 < 50, 'rejected without reading the bytes');
});

test('line endings: CRLF kept, LF and mixed converted to CRLF', () => {
  const crlf = one(MSG);
  assert.equal(crlf.summary.lineEndings, 'crlf');
  assert.equal(crlf.summary.normalized, false);
  assert.deepEqual(crlf.bytes, Buffer.from(MSG));

  const lf = one(MSG.replace(/\r\n/g, '\n'));
  assert.equal(lf.summary.lineEndings, 'lf');
  assert.equal(lf.summary.normalized, true);
  assert.equal(lf.bytes.toString(), MSG);
  assert.equal(lf.summary.size, MSG.length - 8);
  assert.equal(lf.summary.evaluatedBytes, MSG.length);

  const mixed = one(MSG.replace('\r\nTo:', '\nTo:').replace('Hello.\r\n', 'Hello.\n'));
  assert.equal(mixed.summary.lineEndings, 'mixed');
  assert.equal(mixed.summary.normalized, true);
  assert.equal(mixed.bytes.toString(), MSG);
  assert.ok(!/[^\r]\n/.test(mixed.bytes.toString()), 'no bare LF left');
});

test('empty lines pasted above the header are removed and said; the inspector rebuilds the same bytes from the file', async () => {
  const { evaluatedBytes } = await import('../renderer/src/lib/evaluated-bytes.ts');
  for (const [above, text] of [['\n\n', MSG.replace(/\r\n/g, '\n')], ['\r\n\r\n', MSG], ['\r\n\n', MSG]] as const) {
    const file = Buffer.from(above + text);
    const item = one(file.toString('latin1'));
    assert.ok(item.summary.limitations.includes('Empty lines before the first header field were removed.'));
    assert.equal(item.bytes.toString(), MSG);
    assert.equal(item.summary.evaluatedBytes, MSG.length);
    const report = { index: 0, input: item.summary } as never;
    assert.deepEqual(Buffer.from(evaluatedBytes(file, 'message', report)!), item.bytes, JSON.stringify(above));
  }
});

test('summary: RFC 2047 words decoded, counts', () => {
  const s = one(MSG).summary;
  assert.equal(s.subject, 'Grüße aus Berlin');
  assert.equal(s.from, 'Jörg Müller <joerg@example.org>');
  assert.equal(s.messageId, '<abc@example.org>');
  assert.equal(s.date, 'Tue, 2 Jan 2024 10:00:00 +0000');
  assert.equal(s.headerCount, 6);
  assert.equal(s.kind, 'message');
  assert.deepEqual(s.limitations, []);
});

test('headers only: detected when there is no empty line, or forced', () => {
  const headerBlock = MSG.slice(0, MSG.indexOf('\r\n\r\n') + 2);
  const h = one(headerBlock);
  assert.equal(h.summary.kind, 'headers-only');
  assert.equal(h.headers.bodyOffset, null);
  for (const l of HEADERS_ONLY_LIMITATIONS) assert.ok(h.summary.limitations.includes(l));
  assert.match(h.summary.limitations[0], /^The body is absent: DKIM body hashes cannot be computed/);

  // a pasted block without its final line end gets one
  const pasted = one(headerBlock.trimEnd());
  assert.equal(pasted.summary.kind, 'headers-only');
  assert.ok(pasted.bytes.toString().endsWith('<abc@example.org>\r\n'));
  assert.ok(pasted.summary.limitations.some((l) => /no line end; CRLF was added/.test(l)));
  assert.ok(!pasted.summary.limitations.some((l) => /Truncated/.test(l)));

  const forced = one(MSG, { headersOnly: true });
  assert.equal(forced.summary.kind, 'headers-only');
  assert.equal(forced.bytes.toString(), headerBlock);
  assert.ok(forced.summary.limitations.some((l) => /body that followed the header was set aside/.test(l)));
});

test('a body with no empty line before it is rejected as no-header-separator, unless headers only is asked for', () => {
  const noSeparator = MSG.replace('\r\n\r\nHello.', '\r\nHello, this is the body.\r\nSecond line.');
  rejects(noSeparator, 'no-header-separator', /“Hello, this is the body\.”.*no empty line separating the header from the body/);
  const forced = one(noSeparator, { headersOnly: true });
  assert.equal(forced.summary.kind, 'headers-only');
  assert.ok(forced.summary.limitations.some((l) => /2 line\(s\) in the header are not header fields/.test(l)));
  // a continuation that lost its indentation in the middle of a pasted header is only a warning
  const brokenFold = MSG.slice(0, MSG.indexOf('\r\n\r\n') + 2).replace('To: you@example.net', 'To: you@example.net,\r\nthem@example.net');
  const h = one(brokenFold);
  assert.equal(h.summary.kind, 'headers-only');
  assert.ok(h.summary.limitations.some((l) => /not header fields \(the first: “them@example\.net”\)/.test(l)));
});

test('a header block copied with its trailing empty line is taken as headers only when signatures say a body existed', () => {
  const sig = (bh: string) => `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s1;\r\n h=from:subject; bh=${bh}; b=dGVzdA==\r\n`;
  const head = 'From: a@example.org\r\nSubject: hi\r\n';
  const signedOver = one(`${sig('2jmj7l5rSw0yVb/vlWAYkK/YBwk=ZZZZZZZZZZZZZZZZZZZZ')}${head}\r\n`);
  assert.equal(signedOver.summary.kind, 'headers-only');
  assert.equal(signedOver.headers.bodyOffset, null);
  assert.ok(signedOver.summary.limitations[0].startsWith('The body is empty, but the DKIM signatures were made over a non-empty body'));
  assert.ok(signedOver.bytes.toString().endsWith('Subject: hi\r\n'));
  // bh= of an empty body (relaxed): the message really has an empty body
  const empty = one(`${sig('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')}${head}\r\n`);
  assert.equal(empty.summary.kind, 'message');
  assert.equal(one(`${head}\r\n`).summary.kind, 'message');
});

test('a header cut mid-field gets a truncated warning, not a reject', () => {
  const cutValue = one('From: a@example.org\r\nTo: b@example.net\r\nDKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel;\r\n h=from:to; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=');
  assert.equal(cutValue.summary.kind, 'headers-only');
  assert.ok(cutValue.summary.limitations.some((l) => /^Truncated: .*DKIM-Signature/.test(l)), cutValue.summary.limitations.join('|'));

  const cutLast = one('From: a@example.org\r\nSubject: "hello');
  assert.ok(cutLast.summary.limitations.some((l) => /Truncated: the last header field \(Subject\) ends mid-value/.test(l)));

  const cutName = one('From: a@example.org\r\nSubject: hello\r\nContent-Ty');
  assert.ok(cutName.summary.limitations.some((l) => /Truncated: the input ends in the middle of a line \(“Content-Ty”\)/.test(l)));

  const complete = one('From: a@example.org\r\nSubject: hello\r\n');
  assert.ok(!complete.summary.limitations.some((l) => /Truncated/.test(l)));
});

test('a multipart body without its closing boundary gets a truncated warning', () => {
  const head = 'From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary="b1_XYZ"\r\n\r\n';
  const part = '--b1_XYZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n';
  const whole = one(`${head}${part}--b1_XYZ--\r\n`);
  assert.deepEqual(whole.summary.limitations, []);
  const cut = one(`${head}${part}--b1_XYZ\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK`);
  assert.equal(cut.summary.kind, 'message');
  assert.equal(cut.summary.limitations.length, 1);
  assert.match(cut.summary.limitations[0], /^Truncated: the multipart body \(boundary “b1_XYZ”\) ends without its closing boundary/);
});

test('a 25 MB message is read quickly and a 100 MB one without quadratic work', () => {
  const line = `${'x'.repeat(76)}\n`;
  const body = line.repeat(Math.ceil((25 * 1024 * 1024) / line.length));
  const big = Buffer.from(`From: a@example.org\nSubject: big\n\n${body}`);
  let t0 = performance.now();
  const item = one(big);
  const t25 = performance.now() - t0;
  assert.equal(item.summary.lineEndings, 'lf');
  assert.equal(item.bytes.length, big.length + big.toString('latin1').split('\n').length - 1);
  assert.ok(t25 < 3000, `25 MB took ${t25} ms`);

  const huge = Buffer.alloc(100 * 1024 * 1024, 'y'.repeat(77) + '\r\n');
  Buffer.from('From: a@example.org\r\nSubject: huge\r\n\r\n').copy(huge);
  t0 = performance.now();
  const h = one(huge);
  const t100 = performance.now() - t0;
  assert.equal(h.summary.evaluatedBytes, 100 * 1024 * 1024);
  assert.ok(t100 < 8000, `100 MB took ${t100} ms`);
});

const samples = sharedData('samples/messages');
test('every sample message is read as a message with its header fields', { skip: samples.skip }, () => {
  let n = 0;
  for (const folder of readdirSync(samples.dir, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    const manifest = JSON.parse(readFileSync(path.join(samples.dir, folder.name, 'manifest.json'), 'utf8')) as {
      files: Record<string, { inventory?: { bytes?: number; line_endings?: string } }>;
    };
    for (const [name, entry] of Object.entries(manifest.files)) {
      if (!/\.(eml|mail|txt|message\w*)$/.test(name) || name === 'test.txt') continue;
      const bytes = readFileSync(path.join(samples.dir, folder.name, name));
      const split = readInput(bytes);
      const item = split.items[0];
      assert.ok(item.ok, `${folder.name}/${name}: ${!item.ok && item.error.message}`);
      assert.ok(item.summary.headerCount > 3, `${folder.name}/${name}`);
      const le = entry.inventory?.line_endings;
      if (le === 'CRLF') assert.equal(item.summary.normalized, false, `${folder.name}/${name}`);
      if (le === 'LF') assert.equal(item.summary.lineEndings, 'lf', `${folder.name}/${name}`);
      n++;
    }
  }
  assert.ok(n > 40, `read ${n} sample messages`);
});
