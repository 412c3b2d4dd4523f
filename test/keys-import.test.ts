import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKey, importPrivateKey, KeyError } from '../electron/engine/keys/dkim-key.ts';
import { checkPublished, splitTxt } from '../electron/engine/keys/key-record.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';

const id = { domain: 'Example.COM', selector: 's2026' };
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spkiB64 = rsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

test('imports PKCS#1, PKCS#8, encrypted PKCS#8 and legacy encrypted PKCS#1 PEM', () => {
  const forms: [string, string, string | undefined, RegExp][] = [
    ['pkcs1', rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(), undefined, /BEGIN RSA PRIVATE KEY/],
    ['pkcs8', rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), undefined, /BEGIN PRIVATE KEY/],
    ['encrypted pkcs8', rsa.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw1' }).toString(), 'pw1', /BEGIN ENCRYPTED PRIVATE KEY/],
    ['legacy encrypted pkcs1', rsa.privateKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-128-cbc', passphrase: 'pw2' }).toString(), 'pw2', /Proc-Type: 4,ENCRYPTED/],
  ];
  for (const [name, pem, passphrase, marker] of forms) {
    assert.match(pem, marker, name);
    const key = importPrivateKey(pem, { ...id, passphrase });
    assert.equal(key.info.publicKey, spkiB64, name);
    assert.equal(key.info.type, 'rsa');
    assert.equal(key.info.bits, 2048);
    assert.equal(key.info.domain, 'example.com');
    assert.equal(key.info.origin, 'imported');
    assert.match(key.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/, 'stored as PKCS#8');
  }
  const ed = generateKeyPairSync('ed25519');
  const edKey = importPrivateKey(ed.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), id);
  assert.equal(edKey.info.type, 'ed25519');
  assert.equal(Buffer.from(edKey.info.publicKey, 'base64').length, 32, 'RFC 8463: raw 32-byte key');
});

test('rejects everything else with a specific message', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cases: [string, string, string, RegExp, string?][] = [
    ['public key', rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString(), 'public-key', /public key/],
    ['PKCS#1 public key', rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }).toString(), 'public-key', /public key/],
    ['EC P-256 (SEC1)', ec.privateKey.export({ format: 'pem', type: 'sec1' }).toString(), 'unsupported-type', /EC \(ECDSA\)/],
    ['EC P-256 (PKCS#8)', ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'unsupported-type', /EC \(ECDSA\)/],
    ['garbage', 'hello, this is not a key', 'not-pem', /not a PEM private key/],
    ['broken base64', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', 'bad-pem', /does not hold a readable private key/],
    ['OpenSSH', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n', 'openssh', /OpenSSH/],
    ['encrypted, no passphrase', rsa.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }).toString(), 'passphrase-required', /encrypted/],
    ['encrypted, wrong passphrase', rsa.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }).toString(), 'wrong-passphrase', /wrong passphrase/, 'y'],
    ['legacy encrypted, wrong passphrase', rsa.privateKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-128-cbc', passphrase: 'x' }).toString(), 'wrong-passphrase', /wrong passphrase/, 'y'],
    ['RSA 512', generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'weak-key', /RFC 8301/],
  ];
  for (const [name, pem, code, message, passphrase] of cases) {
    assert.throws(() => importPrivateKey(pem, { ...id, passphrase }), (err: KeyError) => {
      assert.equal(err.code, code, `${name}: ${err.message}`);
      assert.match(err.message, message, name);
      return true;
    });
  }
});

test('rejects a certificate', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authlab-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=example.com', '-days', '1', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem')], { stdio: 'ignore' });
  } catch {
    t.skip('openssl is not installed');
    return;
  }
  const cert = readFileSync(path.join(dir, 'c.pem'), 'utf8');
  assert.throws(() => importPrivateKey(cert, id), (err: KeyError) => err.code === 'certificate' && /certificate/.test(err.message));
});

test('the DNS record: zone-file line, 255-byte strings, RFC 8463 raw Ed25519 key', async () => {
  const k4096 = await generateKey({ ...id, type: 'rsa', bits: 4096 });
  const line = k4096.info.dnsRecord;
  assert.ok(line.startsWith('s2026._domainkey.example.com. IN TXT "v=DKIM1; k=rsa; p=MII'));
  const strings = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  assert.ok(strings.length >= 3);
  assert.ok(strings.every((s) => Buffer.byteLength(s) <= 255));
  assert.equal(strings.join(''), k4096.info.dnsValue);
  assert.equal(createPublicKey({ key: Buffer.from(k4096.info.publicKey, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength, 4096);
  const ed = await generateKey({ ...id, type: 'ed25519' });
  assert.match(ed.info.dnsRecord, /^s2026\._domainkey\.example\.com\. IN TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$/);
  assert.deepEqual(splitTxt('a'.repeat(600)).map((s) => s.length), [255, 255, 90]);
  await assert.rejects(generateKey({ ...id, bits: 3072 }), /1024, 2048 or 4096/);
  await assert.rejects(generateKey({ domain: 'localhost', selector: 's' }), /not a valid domain/);
  await assert.rejects(generateKey({ domain: 'example.com', selector: 'bad selector' }), /not a valid selector/);
});

test('checkPublished: absent, matching, different, malformed, unavailable', async () => {
  const key = (await generateKey({ ...id, type: 'rsa', bits: 1024 })).info;
  const other = (await generateKey({ ...id, type: 'rsa', bits: 1024 })).info;
  const name = key.dnsName;
  const zone = (records: string[][]) => {
    const r = new MemoryResolver();
    for (const data of records) r.add(name, { type: 'TXT', data });
    return r;
  };
  assert.equal((await checkPublished(key, new MemoryResolver())).status, 'absent');
  assert.equal((await checkPublished(key, zone([]))).status, 'absent');
  // published split into strings, as a DNS host would
  assert.equal((await checkPublished(key, zone([splitTxt(key.dnsValue, 100)]))).status, 'matching');
  // a bare PKCS#1 RSAPublicKey in p= is the same key
  const pkcs1 = createPublicKey({ key: Buffer.from(key.publicKey, 'base64'), format: 'der', type: 'spki' }).export({ format: 'der', type: 'pkcs1' }).toString('base64');
  assert.equal((await checkPublished(key, zone([[`v=DKIM1; p=${pkcs1}`]]))).status, 'matching');
  assert.equal((await checkPublished(key, zone([[other.dnsValue]]))).status, 'different');
  assert.equal((await checkPublished(key, zone([['v=DKIM1; k=rsa; p=']]))).status, 'different');
  for (const bad of ['v=DKIM1; k=rsa; p=!!!', 'v=DKIM1; k=rsa', 'just text', 'v=DKIM1; p=AAAA; p=BBBB']) {
    assert.equal((await checkPublished(key, zone([[bad]]))).status, 'malformed', bad);
  }
  assert.equal((await checkPublished(key, zone([[key.dnsValue], [other.dnsValue]]))).status, 'malformed');
  const failing = new MemoryResolver();
  failing.fail(name, 'SERVFAIL');
  assert.equal((await checkPublished(key, failing)).status, 'unavailable');
});
