// The fast body hashers and verifier against mailauth's own: the same digest, counters and MIME
// structure start for every body (shared corpora and a seeded fuzz of hostile bodies fed in random
// chunk splits), and the same dkimVerify result for whole messages.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import mailauth from 'mailauth';
import { sharedData } from './helpers/paths.ts';
import { loadZone, type ZoneSpec } from './helpers/dkim-zones.ts';
import { FastRelaxedHash, FastSimpleHash, fastDkimBody, PREVIEW_CAPTURE, type BodyHasher, type ContentTypeValue } from '../electron/engine/dkim/body-hash.ts';
import { canonicalizeBody } from '../electron/engine/dkim/canonicalize.ts';
import { fastDkimVerify } from '../electron/engine/dkim/fast-verifier.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { toMailauthResolver } from '../electron/engine/dns/mailauth-adapter.ts';
import { seededRandom } from './helpers/seeded-random.ts';

const require = createRequire(import.meta.url);
type HasherClass = new (algorithm?: string, maxBodyLength?: unknown) => BodyHasher;
const { RelaxedHash } = require('mailauth/lib/dkim/body/relaxed.js') as { RelaxedHash: HasherClass };
const { SimpleHash } = require('mailauth/lib/dkim/body/simple.js') as { SimpleHash: HasherClass };

const PAIRS: [string, HasherClass, HasherClass][] = [
  ['relaxed', RelaxedHash, FastRelaxedHash],
  ['simple', SimpleHash, FastSimpleHash],
];



/** Random chunk boundaries: 1-byte runs, small and large chunks, and always some CR|LF splits. */
function split(buf: Buffer, rand: () => number): Buffer[] {
  const mode = Math.floor(rand() * 4);
  if (mode === 0) return [buf];
  if (mode === 1) return [...buf].map((_, i) => buf.subarray(i, i + 1));
  const cuts = new Set<number>();
  for (let i = 1; i < buf.length; i++) {
    if (buf[i - 1] === 0x0d && buf[i] === 0x0a && rand() < 0.5) cuts.add(i); // between CR and LF
    else if (rand() < (mode === 2 ? 0.05 : 0.3)) cuts.add(i);
  }
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  out.push(buf.subarray(prev));
  // an empty chunk now and then: update() must ignore it
  if (rand() < 0.1) out.splice(Math.floor(rand() * out.length), 0, Buffer.alloc(0));
  return out;
}

interface Outcome {
  digest: string;
  byteLength: number;
  canonicalizedLength: number;
  bodyHashedBytes: number;
  maxSizeReached: boolean;
  mimeStructureStart: number;
}

function run(Hasher: HasherClass, chunks: Buffer[], algorithm: string, l: unknown, contentType?: ContentTypeValue): Outcome {
  const h = new Hasher(algorithm, l);
  if (contentType) h.setContentType(contentType);
  for (const c of chunks) h.update(c);
  const digest = h.digest('base64');
  return {
    digest,
    byteLength: h.byteLength,
    canonicalizedLength: h.canonicalizedLength,
    bodyHashedBytes: h.bodyHashedBytes,
    maxSizeReached: h.maxSizeReached,
    mimeStructureStart: h.getMimeStructureStart(),
  };
}

/** A body from a hostile alphabet: WSP runs, lone CR and LF, blank-line runs, UTF-8, no final break. */
function hostileBody(rand: () => number): Buffer {
  const tokens = [' ', '\t', '\r', '\n', '\r\n', 'x', 'é', '  ', ' \t ', '\r\n\r\n\r\n', ' \r\n', '\t\r\n', '\n\n', '\r\r\n', '--b'];
  const parts: string[] = [];
  const n = Math.floor(rand() * 60);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.04) parts.push('\r\n'.repeat(1 + Math.floor(rand() * 600))); // long runs of blank lines
    else if (r < 0.08) parts.push(' \t  '.slice(0, 1 + Math.floor(rand() * 4)) + '\r\n'); // whitespace-only line
    else if (r < 0.11) parts.push('\r\n--b\r\n'); // a boundary line for the MIME structure start
    else if (r < 0.14) parts.push('word '.repeat(Math.floor(rand() * 30)) + 'end\r\n'); // a clean line
    else parts.push(tokens[Math.floor(rand() * tokens.length)]);
  }
  return Buffer.from(parts.join(''), 'utf8');
}

test('fast hashers match mailauth on a seeded fuzz of hostile bodies, chunk splits and l= values', () => {
  const rand = seededRandom(0xd1c3);
  const multipart: ContentTypeValue = { value: 'multipart/mixed', params: { boundary: 'b' } };
  let cases = 0;
  for (let i = 0; i < 2500; i++) {
    const body = hostileBody(rand);
    const algorithm = rand() < 0.5 ? 'sha256' : 'sha1';
    const ls: unknown[] = ['', 0, 1 + Math.floor(rand() * 8), Math.floor(rand() * (body.length + 1)), body.length + 10];
    const l = ls[Math.floor(rand() * ls.length)];
    const contentType = rand() < 0.3 ? multipart : undefined;
    for (const [canon, Theirs, Ours] of PAIRS) {
      // different splits for each side: the result must not depend on how the body arrives
      const expected = run(Theirs, split(body, rand), algorithm, l, contentType);
      const actual = run(Ours, split(body, rand), algorithm, l, contentType);
      assert.deepEqual(actual, expected, `case ${i} (${canon}, ${algorithm}, l=${String(l)}): ${JSON.stringify(body.toString('latin1'))}`);
      cases++;
    }
  }
  assert.equal(cases, 5000);
});

test('the preview a hasher keeps is the start of the canonical body, whatever the chunks and l=', () => {
  const rand = seededRandom(0x9e7);
  for (let i = 0; i < 600; i++) {
    // line ends as the engine feeds them (CRLF): lone CR and LF are the hashers' business, tested above
    const hostile = hostileBody(rand).toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
    const body = Buffer.concat([Buffer.from(hostile, 'latin1'), Buffer.from('word '.repeat(Math.floor(rand() * 1500)))]);
    for (const canon of ['relaxed', 'simple'] as const) {
      const hasher = fastDkimBody(canon, 'sha256', rand() < 0.5 ? '' : Math.floor(rand() * 50));
      for (const chunk of split(body, rand)) hasher.update(chunk);
      hasher.digest('base64');
      const kept = (hasher as unknown as { preview: Buffer }).preview;
      const whole = canonicalizeBody(body, canon);
      assert.deepEqual(kept, whole.subarray(0, Math.min(whole.length, PREVIEW_CAPTURE)), `case ${i} ${canon}`);
    }
  }
});

test('edge bodies: empty, only blank lines, no final break, l= at every boundary', () => {
  const bodies = ['', '\r\n', '\r\n\r\n', '\n', '\r', 'x', 'x ', 'x\t', ' \r\n x', 'a\r\n\r\n\r', 'a\r\r\n', 'a\n\r\n', 'a \r\r\n', '\r\n\r\nx \t\r\n\r\n', 'é  é\t\r\n'];
  for (const text of bodies) {
    const body = Buffer.from(text, 'utf8');
    for (let l = 0; l <= body.length + 3; l++) {
      for (const [canon, Theirs, Ours] of PAIRS) {
        assert.deepEqual(run(Ours, [body], 'sha256', l), run(Theirs, [body], 'sha256', l), `${canon} l=${l} ${JSON.stringify(text)}`);
      }
    }
  }
  // runs of empty lines around the 512-line blocks the relaxed hasher skips at once, ending a
  // chunk exactly, followed by content, by an unterminated line, or by nothing
  for (const n of [511, 512, 513, 1024, 1537]) {
    for (const tail of ['', 'x', 'x\r\n', ' \t', '\r', '\n']) {
      const body = Buffer.from(`a\r\n${'\r\n'.repeat(n)}${tail}`);
      const cut = 3 + 2 * n;
      for (const chunks of [[body], [body.subarray(0, cut), body.subarray(cut)], [body.subarray(0, 3), body.subarray(3)]]) {
        for (const [canon, Theirs, Ours] of PAIRS) {
          assert.deepEqual(run(Ours, chunks, 'sha256', ''), run(Theirs, chunks, 'sha256', ''), `${canon} ${n} empty lines + ${JSON.stringify(tail)}`);
        }
      }
    }
  }
  // RFC 6376 §3.4.3/§3.4.4: the empty body is CRLF in simple, nothing in relaxed
  assert.equal(run(FastSimpleHash, [], 'sha256', '').canonicalizedLength, 2);
  assert.equal(run(FastRelaxedHash, [], 'sha256', '').canonicalizedLength, 0);
  assert.equal(run(FastRelaxedHash, [Buffer.from('a \t b  \r\n\r\n')], 'sha256', '').canonicalizedLength, 5); // "a b\r\n"
});

test('fastDkimBody picks the canonicalization like mailauth dkimBody', () => {
  assert.ok(fastDkimBody('relaxed/relaxed', 'sha256', '') instanceof FastRelaxedHash);
  assert.ok(fastDkimBody('relaxed', 'sha256', '') instanceof FastRelaxedHash);
  assert.ok(fastDkimBody(undefined, 'sha256', '') instanceof FastSimpleHash);
  assert.throws(() => fastDkimBody('nowsp', 'sha256', ''), /Unknown body canonicalization/);
});

// ---- shared corpora

const NOT_MESSAGES = /\.(json|md|pem|b64|key|dat|dns|baddomain|seed)$/i;

function messageFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...messageFiles(p));
    else if (!NOT_MESSAGES.test(entry.name) && statSync(p).size < 4_000_000) out.push(p);
  }
  return out.sort();
}

/** The body (after the first empty line) and, for multipart, the content type as DkimVerifier reads it. */
function bodyOf(msg: Buffer): { body: Buffer; contentType?: ContentTypeValue } {
  const crlf = msg.indexOf('\r\n\r\n');
  const lf = msg.indexOf('\n\n');
  const at = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : msg.length;
  const head = msg.subarray(0, at).toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const ct = /^content-type:\s*(multipart\/[^;\s]+)[^\r\n]*?boundary="?([^";\r\n]+)"?/im.exec(head);
  return { body: msg.subarray(at), contentType: ct ? { value: ct[1], params: { boundary: ct[2] } } : undefined };
}

const dkimData = sharedData('conformance/dkim');
const samples = sharedData('samples/messages');

for (const [name, data] of [
  ['conformance/dkim', dkimData],
  ['samples/messages', samples],
] as const) {
  test(`fast hashers match mailauth on every ${name} body`, { skip: data.skip }, () => {
    const rand = seededRandom(0x5eed);
    const files = messageFiles(data.dir);
    assert.ok(files.length > 10, `expected a corpus in ${data.dir}`);
    let multipart = 0;
    for (const file of files) {
      const { body, contentType } = bodyOf(readFileSync(file));
      if (contentType) multipart++;
      for (const algorithm of ['sha256', 'sha1']) {
        for (const l of ['', 0, 17, body.length]) {
          for (const [canon, Theirs, Ours] of PAIRS) {
            const expected = run(Theirs, split(body, rand), algorithm, l, contentType);
            assert.deepEqual(run(Ours, split(body, rand), algorithm, l, contentType), expected, `${path.relative(data.dir, file)} ${canon} ${algorithm} l=${l}`);
          }
        }
      }
    }
    if (name === 'samples/messages') assert.ok(multipart > 0, 'the samples include multipart bodies');
  });
}

// ---- the verifier: the whole dkimVerify result, hidden properties included

const offline = toMailauthResolver(new MemoryResolver('zone'));

// mailauth gives a signature it cannot process a random UUID as its id
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const plain = (v: unknown) => JSON.parse(JSON.stringify(v ?? null, (k, x) => (k === 'id' && typeof x === 'string' && UUID.test(x) ? 'uuid' : x)));

async function sameVerify(msg: Buffer, options: Record<string, unknown>, label: string, chunkSize?: number): Promise<void> {
  const ours = await fastDkimVerify(msg, options as never, chunkSize);
  const theirs = await mailauth.dkimVerify(msg, options as never);
  assert.deepEqual(plain(ours), plain(theirs), label);
  const hidden = (r: object) => {
    const o = r as { headers?: unknown; arc?: unknown; seal?: unknown };
    return plain({ headers: o.headers, arc: o.arc, seal: o.seal });
  };
  assert.deepEqual(hidden(ours), hidden(theirs), `${label}: headers, arc, seal`);
  assert.equal(Object.keys(ours).join(), Object.keys(theirs).join(), `${label}: the same enumerable keys`);
}

test('fastDkimVerify gives mailauth.dkimVerify\'s result for every DKIM conformance message, with its DNS', { skip: dkimData.skip }, async () => {
  const manifest = JSON.parse(readFileSync(path.join(dkimData.dir, 'manifest.json'), 'utf8')) as {
    zones: Record<string, ZoneSpec>;
    vectors: { id: string; message: string; zone: string }[];
  };
  let passes = 0;
  for (const v of manifest.vectors) {
    const msg = readFileSync(path.join(dkimData.dir, v.message)); // as stored: LF files exercise the bare-LF rewrite
    const resolver = toMailauthResolver(loadZone(dkimData.dir, manifest.zones[v.zone]));
    for (const strict of [true, false]) {
      const options = { resolver, strict, curTime: new Date('2024-06-01T00:00:00Z') };
      await sameVerify(msg, options, `${v.id} strict=${strict}`);
    }
    const r = await fastDkimVerify(msg, { resolver, curTime: new Date('2024-06-01T00:00:00Z') } as never);
    if (r.results.some((x) => x.status.result === 'pass')) passes++;
  }
  assert.ok(passes > 10, `real passes were compared (${passes})`);
});

test('fastDkimVerify gives mailauth.dkimVerify\'s result for every sample message (ARC seal body hash too)', { skip: samples.skip }, async () => {
  for (const file of messageFiles(samples.dir)) {
    const msg = readFileSync(file);
    await sameVerify(msg, { resolver: offline, strict: true }, path.relative(samples.dir, file));
    await sameVerify(msg, { resolver: offline, seal: { signingDomain: 'example.com', selector: 's' } }, `${path.relative(samples.dir, file)} seal`);
  }
});

test('fastDkimVerify matches on fuzzed messages: bare LF, several c= and l= signatures, multipart', async () => {
  const rand = seededRandom(0xa11ce);
  for (let i = 0; i < 300; i++) {
    const sigs = ['relaxed/relaxed', 'simple/simple', 'relaxed/simple', 'simple/relaxed']
      .filter(() => rand() < 0.6)
      .map((c, k) => `DKIM-Signature: v=1; a=rsa-sha256; c=${c}; d=example.com; s=s${k}; h=from;${rand() < 0.3 ? ` l=${Math.floor(rand() * 50)};` : ''} bh=AAAA; b=QUJD${k}`);
    const nl = rand() < 0.5 ? '\r\n' : '\n';
    const head = [...sigs, 'From: a@example.com', rand() < 0.4 ? 'Content-Type: multipart/mixed; boundary="b"' : 'Subject: x'].join(nl);
    const msg = Buffer.concat([Buffer.from(head + nl + nl), hostileBody(rand)]);
    // small stream chunks: CR and LF arrive apart, the header/body split falls inside a chunk
    const chunkSize = 1 + Math.floor(rand() * 40);
    await sameVerify(msg, { resolver: offline, strict: rand() < 0.5 }, `message case ${i}, chunks of ${chunkSize}`, chunkSize);
  }
});

test('fastDkimVerify finds the end of the header section where mailauth does, for every edge and every chunk split', async () => {
  const sig = 'DKIM-Signature: v=1; a=rsa-sha256; c=simple/relaxed; d=example.com; s=s; h=from; bh=AAAA; b=QUJD';
  const cases = [
    '', '\n', '\r\n', '\n\n', '\r\n\r\n', '\nbody\n', '\r\nbody\r\n', '\r\r\nx', '\rFrom: a\n\nb',
    // an empty first line: no header fields at all, the signature below it is body
    `\n${sig}\nFrom: a@example.com\n\nbody`, `\r\n${sig}\r\nFrom: a@example.com\r\n\r\nbody`, `\r\r\n${sig}\r\n\r\nbody`,
    `${sig}\r\nFrom: a@example.com`, `${sig}\r\nFrom: a@example.com\r\n`, `${sig}\nFrom: a@example.com\n`,
    `${sig}\r\nFrom: a@example.com\r\n\r\nbody\r\n`, `${sig}\nFrom: a@example.com\n\nbody\n`,
    `${sig}\r\nFrom: a@example.com\n\r\nbody`, `${sig}\r\nFrom: a@example.com\r\n\nbody`, `${sig}\r\nFrom: a@example.com\r\r\n\r\nbody`,
    `${sig}\r\nFrom: a@example.com\r\n\r\n`, `${sig}\r\nFrom: a@example.com\r\n\r`, `${sig}\r\n\tcontinued\r\nFrom: a\r\n \r\n\r\nb`,
  ];
  for (const [i, text] of cases.entries()) {
    const msg = Buffer.from(text);
    for (const chunkSize of [1, 2, 3, 5, 64, undefined]) {
      await sameVerify(msg, { resolver: offline, strict: true }, `edge case ${i} ${JSON.stringify(text.slice(0, 20))}…, chunks of ${chunkSize ?? 'all'}`, chunkSize);
    }
  }
});

test('fastDkimVerify on a large clean message: the same as mailauth, over several chunks', async () => {
  const line = 'The quarterly figures show revenue growth across all regions while costs stayed flat\r\n';
  const body = line.repeat(Math.ceil(3_000_000 / line.length)) + ' trailing  \t\r\n\r\n\r\n';
  const msg = Buffer.from(`DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s; h=from; bh=AAAA; b=QUJD\r\nFrom: a@example.com\r\n\r\n${body}`);
  await sameVerify(msg, { resolver: offline, strict: true }, 'large message');
});

test('fastDkimVerify hands a one-chunk message over without an event-loop turn, and yields between the chunks of a larger one', async () => {
  const msg = Buffer.from('DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s; h=from; bh=AAAA; b=QUJD\r\nFrom: a@example.com\r\n\r\n' + 'body line\r\n'.repeat(500));
  const turnsDuring = async (chunkSize?: number) => {
    let turns = 0;
    let done = false;
    const tick = () => {
      if (done) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await fastDkimVerify(msg, { resolver: offline, strict: true } as never, chunkSize);
    done = true;
    return turns;
  };
  // mailauth's writeToStream took two turns (setImmediate) per message, however small
  assert.equal(await turnsDuring(), 0, 'one chunk: no turn');
  assert.ok((await turnsDuring(1000)) >= 4, 'six chunks: the event loop runs in between');
});
