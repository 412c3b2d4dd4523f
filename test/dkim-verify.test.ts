// Unit tests of the DKIM modules: canonicalization (RFC 6376 §3.4) against the RFC examples and
// against mailauth over every corpus message, tag explanations, and verifyDkim's handling of
// keys, DNS failures and byte ranges on the RFC 8463 example.

import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mailauth from 'mailauth';
import { sharedData } from './helpers/paths.ts';
import { toCrlf } from './helpers/dkim-message.ts';
import { loadZone, parseFakeDns } from './helpers/dkim-zones.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import type { Resolver } from '../electron/engine/dns/resolver.ts';
import { parseHeaderBlock } from '../electron/engine/input/headers.ts';
import { canonicalBodyPreview, canonicalizeBody, canonicalizeHeaderField, canonicalizeSignedHeaders, splitCanonicalization } from '../electron/engine/dkim/canonicalize.ts';
import { selectSignedFields, signedHeaderNames } from '../electron/engine/dkim/signed-headers.ts';
import { explainDkimTag, verifyDkim } from '../electron/engine/dkim/dkim-verify.ts';
import { parseTagList, tagValue } from '../electron/engine/dkim/tags.ts';

const conformance = sharedData('conformance/dkim');
const samples = sharedData('samples/messages');
const b64sha256 = (b: Buffer) => createHash('sha256').update(b).digest('base64');

test('RFC 6376 §3.4.6 canonicalization examples', () => {
  assert.equal(canonicalizeHeaderField(Buffer.from('A: X\r\n'), 'relaxed').toString(), 'a:X');
  assert.equal(canonicalizeHeaderField(Buffer.from('B : Y\t\r\n\tZ  \r\n'), 'relaxed').toString(), 'b:Y Z');
  assert.equal(canonicalizeHeaderField(Buffer.from('B : Y\t\r\n\tZ  \r\n'), 'simple').toString(), 'B : Y\t\r\n\tZ  ');
  const body = Buffer.from(' C \r\nD \t E\r\n\r\n\r\n');
  assert.equal(canonicalizeBody(body, 'relaxed').toString(), ' C\r\nD E\r\n');
  assert.equal(canonicalizeBody(body, 'simple').toString(), ' C \r\nD \t E\r\n');
});

test('body canonicalization edge cases', () => {
  assert.equal(canonicalizeBody(Buffer.alloc(0), 'simple').toString(), '\r\n');
  assert.equal(canonicalizeBody(Buffer.alloc(0), 'relaxed').toString(), '');
  assert.equal(canonicalizeBody(Buffer.from('\r\n\r\n'), 'relaxed').toString(), '');
  assert.equal(canonicalizeBody(Buffer.from('\r\n\r\n'), 'simple').toString(), '\r\n');
  assert.equal(canonicalizeBody(Buffer.from('no end'), 'simple').toString(), 'no end\r\n');
  assert.equal(canonicalizeBody(Buffer.from('x \t\r\n \t '), 'relaxed').toString(), 'x\r\n');
  assert.equal(canonicalizeBody(Buffer.from('a\rb\r\n'), 'simple').toString(), 'a\rb\r\n', 'a bare CR is content');
  assert.deepEqual(splitCanonicalization('Relaxed'), { header: 'relaxed', body: 'simple' });
  assert.deepEqual(splitCanonicalization(undefined), { header: 'simple', body: 'simple' });
});

test('body hashes of mailauth\'s relaxed/simple vectors (message1.eml)', { skip: samples.skip }, () => {
  const msg = toCrlf(readFileSync(path.join(samples.dir, 'mailauth/message1.eml')));
  const body = msg.subarray(parseHeaderBlock(msg).bodyOffset!);
  assert.equal(b64sha256(canonicalizeBody(body, 'relaxed')), 'D2H5TEwtUgM2u8Ew0gG6vnt/Na6L+Zep7apmSmfy8IQ=');
  assert.equal(b64sha256(canonicalizeBody(body, 'simple')), 'GjyEkbey2OupCW5AKJv4dzTPsPHSaZjRDMqUSmhpTyQ=');
  assert.equal(b64sha256(canonicalizeBody(body, 'relaxed').subarray(0, 0)), '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
});

test('the preview is the start of the canonical body, computed from a window only', () => {
  const line = 'Lorem  ipsum \t dolor sit amet,   consectetur\t\r\n';
  const body = Buffer.from(line.repeat(540_000)); // ~25 MB: canonicalizing all of it takes seconds
  const started = performance.now();
  const p = canonicalBodyPreview(body, 'relaxed', 2048);
  const ms = performance.now() - started;
  assert.equal(p.truncated, true);
  assert.equal(Buffer.byteLength(p.text), 2048);
  assert.equal(p.text, canonicalizeBody(body.subarray(0, 20_000), 'relaxed', true).toString().slice(0, 2048));
  assert.ok(ms < 250, `preview took ${ms} ms: it must not canonicalize the whole body`);
  const small = canonicalBodyPreview(Buffer.from('caf\u00e9 \r\n\r\n'), 'relaxed');
  assert.deepEqual(small, { text: 'caf\u00e9\r\n', truncated: false });
  // a multi-byte character across the limit is not cut in half
  const cut = canonicalBodyPreview(Buffer.from('\u00e9'.repeat(3000) + '\r\n'), 'simple', 2047);
  assert.equal(cut.text, '\u00e9'.repeat(1023));
});

/** Every message of the corpora, as (file, bytes, resolver?) */
function corpusMessages(): { name: string; message: Buffer }[] {
  const out: { name: string; message: Buffer }[] = [];
  if (!conformance.skip) {
    for (const sub of ['mail-dkim/corpus', 'dkimpy', 'rfc8463']) {
      for (const f of readdirSync(path.join(conformance.dir, sub))) {
        if (/\.(txt|msg|message|eml|baddomain)$/.test(f) && f !== 'test.txt') out.push({ name: `${sub}/${f}`, message: toCrlf(readFileSync(path.join(conformance.dir, sub, f))) });
      }
    }
  }
  if (!samples.skip) {
    for (const sub of readdirSync(samples.dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const f of readdirSync(path.join(samples.dir, sub.name))) {
        if (/\.(eml|mail|txt)$/.test(f) && f !== 'README.md') out.push({ name: `${sub.name}/${f}`, message: toCrlf(readFileSync(path.join(samples.dir, sub.name, f))) });
      }
    }
  }
  return out;
}

test('own canonicalization equals mailauth\'s on every corpus signature', { skip: conformance.skip || samples.skip }, async () => {
  let headerChecks = 0;
  let bodyChecks = 0;
  const nobody: Resolver = { query: async () => ({ rcode: 'NXDOMAIN', records: [], source: 'zone' }) };
  for (const { name, message } of corpusMessages()) {
    const headers = parseHeaderBlock(message);
    const body = headers.bodyOffset === null ? Buffer.alloc(0) : message.subarray(headers.bodyOffset);
    const { reports, raw } = await verifyDkim({ message, headers, resolver: nobody, now: new Date(), mode: 'strict' });
    const fields = headers.fields.filter((f) => f.key === 'dkim-signature');
    assert.equal(reports.length, fields.length);
    const pending = [...raw.results];
    for (const [i, field] of fields.entries()) {
      const list = parseTagList(field.raw.toString('utf8').replace(/^[^:]*:/, ''));
      // a copy of a signature with another c= has the same b=
      const at = pending.findIndex((x) => x.signature === tagValue(list, 'b', true) && x.format === tagValue(list, 'c', true));
      const r = at >= 0 ? pending.splice(at, 1)[0] : undefined;
      if (!r?.signingHeaders) continue;
      const canon = splitCanonicalization(tagValue(list, 'c', true));
      if (canon.header !== 'simple' && canon.header !== 'relaxed') continue;
      const mine = canonicalizeSignedHeaders(selectSignedFields(headers.fields, signedHeaderNames(tagValue(list, 'h', true))).map((f) => f.raw), field.raw, canon.header, true);
      assert.equal(mine.toString('latin1'), Buffer.from(r.signingHeaders.canonicalizedHeader, 'base64').toString('latin1'), `${name} #${i + 1} header data`);
      headerChecks++;
      const a = (tagValue(list, 'a', true) ?? '').toLowerCase();
      if ((canon.body === 'simple' || canon.body === 'relaxed') && tagValue(list, 'l', true) === undefined && r.bodyHash && (a.endsWith('sha256') || a.endsWith('sha1'))) {
        const hash = createHash(a.endsWith('sha1') ? 'sha1' : 'sha256').update(canonicalizeBody(body, canon.body)).digest('base64');
        assert.equal(hash, r.bodyHash, `${name} #${i + 1} body hash (${canon.body})`);
        bodyChecks++;
      }
    }
  }
  assert.ok(headerChecks > 80 && bodyChecks > 60, `${headerChecks} header and ${bodyChecks} body comparisons`);
});

test('explainDkimTag', () => {
  assert.equal(explainDkimTag('v', '1').problem, undefined);
  assert.match(explainDkimTag('v', '0.5').problem ?? '', /version 1/);
  assert.match(explainDkimTag('a', 'rsa-sha1').problem ?? '', /RFC 8301/);
  assert.equal(explainDkimTag('a', 'ed25519-sha256').problem, undefined);
  assert.match(explainDkimTag('h', 'to:subject').problem ?? '', /From is not signed/);
  assert.equal(explainDkimTag('h', 'From:To').problem, undefined);
  assert.match(explainDkimTag('d', 'legitimate.com(.attacker.com').problem ?? '', /not a valid domain/);
  assert.match(explainDkimTag('l', '12x').problem ?? '', /not a number/);
  assert.match(explainDkimTag('c', 'relaxed/foo').problem ?? '', /unknown canonicalization/);
  assert.match(explainDkimTag('t', '1528637909').meaning, /2018-06-10T13:38:29/);
  assert.match(explainDkimTag('q', 'http').problem ?? '', /dns\/txt/);
  assert.match(explainDkimTag('bh', Buffer.alloc(16).toString('base64')).problem ?? '', /16 bytes/);
  assert.match(explainDkimTag('zz', 'x').meaning, /Unknown tag/);
  for (const name of ['v', 'a', 'b', 'bh', 'c', 'd', 'h', 'i', 'l', 'q', 's', 't', 'x', 'z']) assert.doesNotMatch(explainDkimTag(name, '').meaning, /Unknown/);
});

/** Counts queries, to show mailauth's key lookup and ours share one. */
function counting(inner: Resolver): Resolver & { count: number } {
  const r = { count: 0, query: (name: string, type: Parameters<Resolver['query']>[1]) => (r.count++, inner.query(name, type)) };
  return r;
}

test('RFC 8463 A.3: both signatures, key facts, byte ranges, one query per key', { skip: conformance.skip }, async () => {
  const message = readFileSync(path.join(conformance.dir, 'rfc8463/signed.eml'));
  const headers = parseHeaderBlock(message);
  const resolver = counting(loadZone(conformance.dir, { file: 'rfc8463/dns.json', format: 'json-records' }));
  const { reports, raw } = await verifyDkim({ message, headers, resolver, now: new Date('2018-06-11T00:00:00Z'), mode: 'strict' });
  assert.equal(resolver.count, 2);
  assert.deepEqual(raw.headerFrom, ['joe@football.example.com']);
  assert.deepEqual(reports.map((r) => [r.algorithm, r.result, r.headerSignature, r.key?.bits]), [
    ['ed25519-sha256', 'pass', 'valid', 256],
    ['rsa-sha256', 'pass', 'valid', 1024],
  ]);
  for (const r of reports) {
    assert.ok(message.subarray(r.source.start, r.source.end).toString().startsWith('DKIM-Signature:'));
    assert.deepEqual(r.steps.map((s) => s.title), ['Parse signature', 'Check tags', 'Signed header fields (h=)', 'Body hash', 'Key lookup', 'Key checks', 'Header signature', 'Signature time', 'Result']);
    assert.equal(r.headers.analysis.find((a) => a.name === 'From')?.status, 'over-signed');
    assert.ok(r.canonicalHeaders?.endsWith('b='), 'the signature field comes last with b= empty');
  }
  assert.equal(reports[1].steps.find((s) => s.title === 'Key checks')?.status, 'warn', '1024-bit RSA: under the recommended 2048');
  assert.equal(reports[0].key?.name, 'brisbane._domainkey.football.example.com');
});

test('key failures: no key, DNS failure, revoked key', { skip: conformance.skip }, async () => {
  const message = readFileSync(path.join(conformance.dir, 'rfc8463/signed.eml'));
  const headers = parseHeaderBlock(message);
  const zone = loadZone(conformance.dir, { file: 'rfc8463/dns.json', format: 'json-records' });
  zone.names.delete('test._domainkey.football.example.com');
  zone.names.delete('brisbane._domainkey.football.example.com');
  zone.fail('brisbane._domainkey.football.example.com', 'SERVFAIL');
  for (const mode of ['strict', 'lenient'] as const) {
    const { reports } = await verifyDkim({ message, headers, resolver: zone, now: new Date(), mode });
    assert.equal(reports[0].result, 'temperror', reports[0].reason);
    assert.equal(reports[0].headerSignature, 'not-checked');
    assert.equal(reports[1].result, 'neutral', reports[1].reason);
    assert.match(reports[1].reason, /no key/);
  }
  const revoked = parseFakeDns('brisbane._domainkey.football.example.com v=DKIM1; k=ed25519; p=\n');
  const { reports } = await verifyDkim({ message, headers, resolver: revoked, now: new Date(), mode: 'strict' });
  assert.equal(reports[0].key?.revoked, true);
  assert.notEqual(reports[0].result, 'pass');
});

test('a body change with a missing key reports the key first (RFC 6376 §6.1.2 before §6.1.3)', { skip: conformance.skip }, async () => {
  const original = readFileSync(path.join(conformance.dir, 'rfc8463/signed.eml'));
  const message = Buffer.from(original.toString('latin1').replace('Hi.', 'Hi!'), 'latin1');
  const zone = loadZone(conformance.dir, { file: 'rfc8463/dns.json', format: 'json-records' });
  zone.names.delete('test._domainkey.football.example.com');
  const { reports } = await verifyDkim({ message, headers: parseHeaderBlock(message), resolver: zone, now: new Date(), mode: 'strict' });
  assert.equal(reports[0].result, 'fail');
  assert.match(reports[0].reason, /headers intact, body changed/);
  assert.equal(reports[1].result, 'neutral');
  assert.match(reports[1].reason, /no key/);
});

test('an unsigned message has no reports; mailauth\'s raw result says none', async () => {
  const message = Buffer.from('From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n');
  const { reports, raw } = await verifyDkim({ message, headers: parseHeaderBlock(message), resolver: new MemoryResolver(), now: new Date(), mode: 'strict' });
  assert.deepEqual(reports, []);
  assert.equal(raw.results[0].status.result, 'none');
});

test('lenient mode reports the signatures mailauth leaves out', async () => {
  const message = Buffer.from(
    'DKIM-Signature: v=1; a=rsa-md5; c=relaxed; d=example.org; s=x; h=from; bh=AAAA; b=BBBB\r\nDKIM-Signature: v=1; a=rsa-sha256; c=odd/relaxed; d=example.org; s=x; h=from; bh=AAAA; b=BBBB\r\nFrom: a@example.org\r\n\r\nbody\r\n',
  );
  const { reports } = await verifyDkim({ message, headers: parseHeaderBlock(message), resolver: new MemoryResolver(), now: new Date(), mode: 'lenient' });
  assert.deepEqual(reports.map((r) => [r.result, r.reason.split(':')[0]]), [
    ['neutral', 'unknown algorithm'],
    ['neutral', 'unknown canonicalization'],
  ]);
  assert.match(reports[0].tags.find((t) => t.name === 'a')?.problem ?? '', /unknown algorithm/);
});
