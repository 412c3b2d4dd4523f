// The linear header parser (electron/engine/dkim/linear-headers.ts) against mailauth's own
// parseHeaders: the same rows for every sample message and for fuzzed header blocks; mailauth's
// message parser still hands headers over the way the installed replacement does; and the
// pathological inputs that took minutes now finish.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseHeaders } from '../electron/engine/dkim/linear-headers.ts';
import { analyzeCoverage, selectSignedFields } from '../electron/engine/dkim/signed-headers.ts';
import { parseHeaderBlock, type HeaderField } from '../electron/engine/input/headers.ts';
import { createEngine } from '../electron/engine/engine.ts';
import { sharedData } from './helpers/paths.ts';
import { seededRandom } from './helpers/seeded-random.ts';

const require = createRequire(import.meta.url);
const tools = require('mailauth/lib/tools.js') as { parseHeaders: typeof parseHeaders };
const { dir: samples, skip } = sharedData('samples/messages');

function headerSection(message: Buffer): Buffer {
  const end = message.indexOf('\r\n\r\n');
  const lfEnd = message.indexOf('\n\n');
  const at = end >= 0 && (lfEnd < 0 || end < lfEnd) ? end + 2 : lfEnd >= 0 ? lfEnd + 1 : message.length;
  return message.subarray(0, at);
}

function assertSame(input: Buffer, label: string) {
  const mine = parseHeaders(input);
  const theirs = tools.parseHeaders(input);
  assert.equal(mine.original, input);
  assert.deepEqual(
    mine.parsed.map((r) => [r.key, r.casedKey, r.line.toString('binary')]),
    theirs.parsed.map((r) => [r.key, r.casedKey, r.line.toString('binary')]),
    label,
  );
}

test('the same rows as mailauth for every sample message, as stored and with CRLF', { skip }, () => {
  let n = 0;
  for (const folder of readdirSync(samples)) {
    let files: string[] = [];
    try {
      files = readdirSync(path.join(samples, folder)).filter((f) => /\.(eml|mail|message|txt)$|^message/.test(f));
    } catch {
      continue;
    }
    for (const f of files) {
      const raw = readFileSync(path.join(samples, folder, f));
      assertSame(headerSection(raw), `${folder}/${f}`);
      assertSame(headerSection(Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1')), `${folder}/${f} (CRLF)`);
      n++;
    }
  }
  assert.ok(n >= 50, `${n} sample messages read`);
});

test('the same rows as mailauth for 3,000 fuzzed header blocks: folds, stray lines, odd names, bare LF and CR, 8-bit bytes', () => {
  const rnd = seededRandom(0xa17b);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const pieces = [
    'From: a@example.com',
    'Subject: hello',
    'X-Long: a',
    ' folded',
    '\tfolded with a tab',
    '  ',
    'no colon here',
    ': empty name',
    'Name : space before the colon',
    'Na\u00efve: 8-bit name',
    'DKIM-Signature: v=1; h=from:subject',
    'Received: from x',
    ' by y',
    '',
    'Odd\rcarriage: return',
    'X-\u00ff: y',
    'FROM: upper',
    ' : colon after a fold',
    // a name alone on its line, its colon on the folded line after it (mailauth reads the two as one field)
    'X-Split',
    'Subject',
    ': value after a bare name',
  ];
  for (let k = 0; k < 3000; k++) {
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => pick(pieces));
    const eol = pick(['\r\n', '\n']);
    const text = lines.join(eol) + pick(['', eol, eol + eol, '\r\n\r\n\n']);
    assertSame(Buffer.from(text, 'latin1'), JSON.stringify(text));
  }
  assertSame(Buffer.alloc(0), 'empty');
  assertSame(Buffer.from('\r\n'), 'a lone CRLF');
});

test("mailauth's message parser still hands headers over as the installed replacement does", () => {
  // installLinearHeaderParser() replaces MessageParser.prototype.emitHeaders with these steps
  const source = readFileSync(require.resolve('mailauth/lib/dkim/message-parser.js'), 'utf8');
  const body = /async emitHeaders\(chunk\) \{([^]*?)\n {4}\}/.exec(source)?.[1].replace(/\s+/g, ' ').trim();
  assert.equal(
    body,
    "this.state = 'body'; if (chunk) { this.headerChunks.push(chunk); } this.headers = parseHeaders(Buffer.concat(this.headerChunks)); await this.messageHeaders(this.headers);",
  );
});

test('selectSignedFields: for each h= name the bottom-most instance not yet taken, as a scan up the header picks it', () => {
  // the scan it replaced, kept here as the reference
  const reference = (fields: HeaderField[], names: string[]) => {
    const used = new Set<number>();
    const out: HeaderField[] = [];
    for (const name of names) {
      for (let i = fields.length - 1; i >= 0; i--) {
        if (!used.has(i) && fields[i]!.key === name) {
          used.add(i);
          out.push(fields[i]!);
          break;
        }
      }
    }
    return out;
  };
  const rnd = seededRandom(7);
  const keys = ['from', 'to', 'subject', 'date', 'x-a', 'received'];
  for (let k = 0; k < 500; k++) {
    const text = Array.from({ length: Math.floor(rnd() * 10) }, (_, i) => `${keys[Math.floor(rnd() * keys.length)]}: v${i}\r\n`).join('') + 'x: y\r\n\r\n';
    const fields = parseHeaderBlock(Buffer.from(text)).fields;
    const names = Array.from({ length: Math.floor(rnd() * 12) }, () => keys[Math.floor(rnd() * keys.length)]!);
    assert.deepEqual(selectSignedFields(fields, names), reference(fields, names), `${JSON.stringify(text)} h=${names.join(':')}`);
  }
});

test('analyzeCoverage: unsigned copies above the signed ones, top down; the index is per message, so each signature sees its own h=', () => {
  const text = 'From: one@x\r\nFrom: two@x\r\nSubject: s\r\nFrom: three@x\r\nTo: t@x\r\n\r\n';
  const fields = parseHeaderBlock(Buffer.from(text)).fields;
  const once = analyzeCoverage(fields, ['from', 'subject']);
  assert.deepEqual(once.addedAbove.map((a) => a.field.value), ['one@x', 'two@x'], 'the two copies above the signed (bottom) From, top down');
  assert.deepEqual(once.signed.map((f) => f.value), ['three@x', 's']);
  assert.deepEqual(once.unsignedImportant, ['From (2 unsigned copies above the signed one)', 'To']);
  const twice = analyzeCoverage(fields, ['from', 'from']);
  assert.deepEqual(twice.addedAbove.map((a) => a.field.value), ['one@x']);
  assert.deepEqual(twice.signed.map((f) => f.value), ['three@x', 'two@x']);
});

test('hostile header shapes end in bounded time: 100,000 fold lines are read; 20,000 h= names or 5,000 signatures over as many fields are refused', { timeout: 60_000 }, async () => {
  const engine = createEngine();
  // one field folded over 100,000 lines: mailauth's own parser took ~6 minutes here
  const folded = Buffer.from('From: a@example.com\r\nSubject: x\r\nX-Fold: a\r\n' + ' b\r\n'.repeat(100_000) + '\r\nbody\r\n');
  const r = await engine.evaluate(folded, { ip: '192.0.2.1' }, { offline: true });
  assert.equal(r.messages[0]!.ok, true);
  // h= naming 20,000 fields over 20,000 fields: names × fields comparisons, refused with the figures
  const names = Array.from({ length: 20_000 }, (_, i) => `x-f${i}`).join(':');
  const many = Buffer.from(
    `DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from:${names}; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\nFrom: a@example.com\r\n` +
      Array.from({ length: 20_000 }, (_, i) => `X-F${i}: y\r\n`).join('') +
      '\r\nbody\r\n',
  );
  await assert.rejects(engine.evaluate(many, {}, { offline: true }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'too-complex');
    assert.match(err.message, /has 1 signature listing 20,001 header field names in h= over 20,002 header fields: checking them takes 4\.0e\+8 field comparisons/);
    return true;
  });
  // a large but real-world shape still evaluates: 200 names over 2,000 fields
  const fine = Buffer.from(
    `DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; h=from:${names.split(':').slice(0, 199).join(':')}; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\nFrom: a@example.com\r\n` +
      Array.from({ length: 2_000 }, (_, i) => `X-F${i}: y\r\n`).join('') +
      '\r\nbody\r\n',
  );
  const ok = await engine.evaluate(fine, {}, { offline: true });
  assert.equal(ok.messages[0]!.ok, true);
  // 5,000 signatures over 5,000 fields: the verifier's work per signature is the header's size
  const sigs = Array.from({ length: 5_000 }, (_, i) => `DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s${i}; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n`).join('');
  await assert.rejects(engine.evaluate(Buffer.from(sigs + 'From: a@example.com\r\n\r\n\r\n'), {}, { offline: true }), /has 5,000 signatures listing 5,000 header field names in h= over 5,001 header fields: checking them takes 5\.0e\+7/);
});
