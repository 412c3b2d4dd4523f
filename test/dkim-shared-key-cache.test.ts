// The key records mailauth reads are kept across messages (electron/engine/dkim/shared-key-cache.ts):
// keyed by the DNS answer, so a changed record is read anew, every message still queries DNS, and
// what a message gets (result or error) is its own copy, the same as mailauth's uncached reading.

import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { KeyObject, sign, verify } from 'node:crypto';
import { createSharedKeyCache } from '../electron/engine/dkim/shared-key-cache.ts';
import { createEngine } from '../electron/engine/engine.ts';
import { exampleZone, keyRecordLine, makeKey, plainMessage, signMessage } from './helpers/signed-message.ts';

const { getPublicKey } = createRequire(import.meta.url)('mailauth/lib/tools.js') as {
  getPublicKey(type: string, name: string, min: number, resolver: unknown): Promise<{ publicKey: string; rr: string }>;
};

type Answers = Record<string, string[][]>;
/** A mailauth resolver over a mutable map, counting its queries. */
function countingResolver(answers: Answers) {
  const queries: string[] = [];
  const resolver = async (name: string, type: string) => {
    queries.push(`${name} ${type}`);
    const found = answers[`${name.toLowerCase()} ${type}`];
    if (!found) throw Object.assign(new Error(`${name} not found`), { code: 'ENOTFOUND' });
    return found;
  };
  return { resolver, queries };
}
const record = (key: ReturnType<typeof makeKey>, extra = '') => [[`v=DKIM1; k=rsa;${extra} p=${key.publicKeyB64}`]];

test('a second message with the same record gets the same reading, through its own DNS query', async () => {
  const key = makeKey('rsa', 2048);
  const { resolver, queries } = countingResolver({ 'sel._domainkey.example.com TXT': record(key) });
  const uncached = await getPublicKey('DKIM', 'sel._domainkey.example.com', 1024, resolver as never);
  const a = await createSharedKeyCache(resolver as never).get('DKIM', 'sel._domainkey.example.com', 1024, { strict: true, hashAlgo: 'sha256' });
  const b = await createSharedKeyCache(resolver as never).get('DKIM', 'sel._domainkey.example.com', 1024, { strict: true, hashAlgo: 'sha256' });
  assert.equal(queries.length, 3, 'one query per message');
  for (const r of [a, b]) {
    // a key object, so crypto.verify does not parse the PEM on every message; it prints as mailauth's PEM
    assert.ok(r.publicKey instanceof KeyObject);
    assert.equal(String(r.publicKey), uncached.publicKey);
    assert.equal(verify('sha256', Buffer.from('data'), r.publicKey, sign('sha256', Buffer.from('data'), key.privateKeyPem)), true);
    assert.equal(r.modulusLength, 2048);
    assert.equal(r.rr, uncached.rr);
  }
  assert.notEqual(a, b, 'each message gets its own result object');
  a.warnings.push('amended by the first message');
  assert.deepEqual(b.warnings, []);
});

test('within one message the same question is one query (as mailauth caches it)', async () => {
  const key = makeKey('rsa', 2048);
  const { resolver, queries } = countingResolver({ 'sel._domainkey.example.com TXT': record(key) });
  const cache = createSharedKeyCache(resolver as never);
  await Promise.all([1, 2, 3].map(() => cache.get('AS', 'sel._domainkey.example.com', 1024, { strict: true, hashAlgo: 'sha256' })));
  assert.equal(queries.length, 1);
  assert.equal(cache.resolver, resolver, 'mailauth compares the resolver before reusing an ARC key cache');
});

test('a record that changes between messages is read anew: rotated key, revoked key', async () => {
  const [k1, k2] = [makeKey('rsa', 2048), makeKey('rsa', 2048)];
  const answers: Answers = { 'sel._domainkey.example.com TXT': record(k1) };
  const { resolver } = countingResolver(answers);
  const get = () => createSharedKeyCache(resolver as never).get('DKIM', 'sel._domainkey.example.com', 1024, { strict: true });
  const first = await get();
  answers['sel._domainkey.example.com TXT'] = record(k2);
  const rotated = await get();
  assert.notEqual(String(rotated.publicKey), String(first.publicKey));
  assert.equal(String(rotated.publicKey), (await getPublicKey('DKIM', 'sel._domainkey.example.com', 1024, resolver as never)).publicKey);
  answers['sel._domainkey.example.com TXT'] = [['v=DKIM1; k=rsa; p=']];
  for (let i = 0; i < 2; i++) {
    // the same error each time, each its own object
    await assert.rejects(get(), (err: Error & { code?: string; rr?: string }) => err.code === 'EINVALIDVAL' && /Missing key value/.test(err.message) && err.rr === 'v=DKIM1;k=rsa;p=');
  }
  delete answers['sel._domainkey.example.com TXT'];
  await assert.rejects(get(), (err: Error & { code?: string }) => err.code === 'ENOTFOUND', 'DNS errors pass through untouched');
});

test('the reading depends on the question too: a short key is refused under a higher minimum, h= limits the hash', async () => {
  const key = makeKey('rsa', 1024);
  const { resolver } = countingResolver({ 'sel._domainkey.example.com TXT': record(key, ' h=sha256;') });
  const get = (min: number, hashAlgo: string) => createSharedKeyCache(resolver as never).get('DKIM', 'sel._domainkey.example.com', min, { strict: true, hashAlgo });
  assert.equal((await get(1024, 'sha256')).modulusLength, 1024);
  await assert.rejects(get(2048, 'sha256'), (err: Error & { code?: string }) => err.code === 'ESHORTKEY');
  await assert.rejects(get(1024, 'sha1'), (err: Error & { code?: string }) => err.code === 'EINVALIDHASH');
  assert.equal((await get(1024, 'sha256')).modulusLength, 1024);
});

test('the engine over a batch: a key rotated in the what-if zone between messages changes the verdict', async () => {
  const [k1, k2] = [makeKey('rsa', 2048), makeKey('rsa', 2048)];
  const signed = await signMessage(plainMessage(), 'example.com', 'sel', k1);
  const engine = createEngine();
  const opts = { ip: '192.0.2.10', helo: 'mail.example.com', mailFrom: 'bounces@example.com', at: '2026-11-24T10:05:00Z' };
  const run = async (zone: string) => {
    const r = await engine.evaluate(Buffer.from(signed), opts, { offline: true, zones: [{ name: 'z', text: zone }] });
    const m = r.messages[0];
    assert.ok(m.ok);
    return `${m.dkim[0].result}: ${m.dkim[0].reason}`;
  };
  assert.match(await run(exampleZone('sel', k1)), /^pass:/);
  assert.match(await run(exampleZone('sel', k2)), /^fail: bad signature/);
  assert.match(await run(exampleZone('sel', k1)), /^pass:/);
  // RFC 6376 §3.6.1: an empty p= is a revoked key
  const revoked = exampleZone('sel', k1).replace(keyRecordLine('sel', 'example.com', k1), 'sel._domainkey.example.com. 300 IN TXT "v=DKIM1; p="');
  assert.match(await run(revoked), /^neutral: .*revoked/);
  assert.match(await run(exampleZone('sel', k1)), /^pass:/);
});
