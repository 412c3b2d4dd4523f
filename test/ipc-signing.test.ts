// The signing lab through the contract: validators, the key store's lifecycle as the page sees it
// (absent → unlocked → locked, wrong passphrase, corrupt store left untouched), signing with the
// round-trip report, safeStorage protection, and no private key bytes in any renderer-facing output.

import test from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { API_METHODS, type ApiMethod, type Envelope, type PublicKeyInfo, type SignMessageResult } from '../shared/ipc/contract.ts';
import { validateRequest } from '../shared/ipc/validators.ts';
import { createEngine } from '../electron/engine/engine.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { createServices, type AuthlabServices, type ServicesDeps } from '../electron/services/services.ts';
import { dispatch } from '../electron/services/dispatch.ts';
import { BASIC_TEXT_WARNING, safeStorageProtection, type SafeStorageLike } from '../electron/main/key-protection.ts';
import { plainMessage } from './helpers/signed-message.ts';

const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };
const NOW = new Date('2026-11-24T10:05:00Z');

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-ipc-signing-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function services(dataDir: string, keys: ServicesDeps['keys'] = { protection: { kind: 'passphrase', scrypt: FAST_SCRYPT } }): AuthlabServices {
  return createServices({ engine: createEngine({ clock: () => NOW }), dataDir, now: () => NOW, keys });
}

/** Calls through dispatch, as IPC and HTTP do: validation, then the service, then the envelope. */
async function call<T = unknown>(s: AuthlabServices, method: ApiMethod, arg?: unknown): Promise<Envelope<T>> {
  return (await dispatch(s, method, arg)) as Envelope<T>;
}

async function ok<T>(s: AuthlabServices, method: ApiMethod, arg?: unknown): Promise<T> {
  const e = await call<T>(s, method, arg);
  assert.ok(e.ok, `${method} failed: ${!e.ok ? `${e.error.code}: ${e.error.message}` : ''}`);
  return e.value;
}

async function errorOf(s: AuthlabServices, method: ApiMethod, arg?: unknown): Promise<{ code: string; message: string }> {
  const e = await call(s, method, arg);
  assert.equal(e.ok, false, `${method} unexpectedly succeeded`);
  return (e as { ok: false; error: { code: string; message: string } }).error;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

test('validators: signing requests are strict (unknown fields, names, sizes, explicit export)', () => {
  const good: [ApiMethod, unknown][] = [
    ['unlockKeyStore', { passphrase: 'correct horse' }],
    ['generateKey', { domain: 'Example.COM.', selector: 's2026', type: 'rsa', bits: 2048 }],
    ['generateKey', { domain: 'mail.example.co.uk', selector: 'ed_1', type: 'ed25519' }],
    ['importKey', { pem: '-----BEGIN PRIVATE KEY-----', domain: 'example.com', selector: 's1', passphrase: 'x' }],
    ['deleteKey', { id: 'k_0123456789abcdef' }],
    ['exportPrivateKey', { id: 'k_0123456789abcdef', confirm: true }],
    ['signMessage', { messageBase64: b64('From: a@example.com\r\n\r\nhi'), keyIds: ['k_0123456789abcdef'], canonicalization: 'simple/relaxed', overSign: ['From'], bodyLength: true, expires: 86400, arc: { keyId: 'k_0123456789abcdef', authResults: 'mx.example; dkim=pass', cv: 'none' }, live: false }],
    ['signMessage', { messageBase64: b64('x'), rules: [{ match: { fromDomain: '*.example.com' }, sign: 'from-domain' }], envelopeSender: '' }],
  ];
  for (const [m, arg] of good) {
    const v = validateRequest(m, arg);
    assert.ok(v.ok, `${m} refused ${JSON.stringify(arg)}: ${!v.ok ? v.message : ''}`);
  }
  const g = validateRequest('generateKey', { domain: 'Example.COM.', selector: 'S1', type: 'rsa' });
  assert.ok(g.ok && g.value.domain === 'example.com' && g.value.selector === 's1', 'names are normalised');

  const bad: [ApiMethod, unknown, RegExp][] = [
    ['unlockKeyStore', { passphrase: '' }, /passphrase: must not be empty/],
    ['unlockKeyStore', { passphrase: 'x', remember: true }, /unknown field "remember"/],
    ['unlockKeyStore', { passphrase: 'x'.repeat(2000) }, /longer than/],
    ['generateKey', { domain: 'localhost', selector: 's1', type: 'rsa' }, /domain: "localhost" is not a domain/],
    ['generateKey', { domain: 'exa mple.com', selector: 's1', type: 'rsa' }, /domain/],
    ['generateKey', { domain: 'example.com', selector: '-bad', type: 'rsa' }, /selector/],
    ['generateKey', { domain: 'example.com', selector: 's1', type: 'dsa' }, /type: must be one of rsa, ed25519/],
    ['generateKey', { domain: 'example.com', selector: 's1', type: 'rsa', bits: 512 }, /bits: must be one of 1024, 2048, 4096/],
    ['generateKey', { domain: 'example.com', selector: 's1', type: 'ed25519', bits: 2048 }, /bits: applies to RSA keys only/],
    ['importKey', { pem: 'x'.repeat(70_000), domain: 'example.com', selector: 's1' }, /pem: is longer than/],
    ['deleteKey', { id: '../keys.json' }, /id: is not a key id/],
    ['exportPrivateKey', { id: 'k_0123456789abcdef' }, /confirm: must be true/],
    ['exportPrivateKey', { id: 'k_0123456789abcdef', confirm: 'yes' }, /confirm: must be true/],
    ['signMessage', { messageBase64: b64('x') }, /choose at least one key/],
    ['signMessage', { messageBase64: '', keyIds: ['k_0123456789abcdef'] }, /messageBase64: must not be empty/],
    ['signMessage', { messageBase64: b64('x'), keyIds: ['k_0123456789abcdef'], rules: [{ match: { fromDomain: '*' }, sign: 'from-domain' }] }, /keyIds or rules, not both/],
    ['signMessage', { messageBase64: b64('x'), keyIds: ['k_0123456789abcdef', 'k_0123456789abcdef'] }, /names a key twice/],
    ['signMessage', { messageBase64: b64('x'), keyIds: ['k_0123456789abcdef'], canonicalization: 'nofws' }, /canonicalization: must be one of/],
    ['signMessage', { messageBase64: b64('x'), keyIds: ['k_0123456789abcdef'], headers: ['From:To'] }, /headers\[0\]: "From:To" is not a header field name/],
    ['signMessage', { messageBase64: b64('x'), keyIds: ['k_0123456789abcdef'], expires: 0 }, /expires: must be an integer/],
    ['signMessage', { messageBase64: b64('x'), keyIds: ['k_0123456789abcdef'], privateKey: 'x' }, /unknown field "privateKey"/],
    ['signMessage', { messageBase64: b64('x'), keyIds: ['k_0123456789abcdef'], arc: { keyId: 'k_0123456789abcdef', authResults: 'a\u0000b' } }, /arc\.authResults/],
    ['signMessage', { messageBase64: b64('x'), rules: [{ match: {}, sign: 'from-domain' }] }, /rules\[0\]\.match: needs at least one condition/],
    ['keyStoreStatus', { x: 1 }, /takes no argument/],
  ];
  for (const [m, arg, re] of bad) {
    const v = validateRequest(m, arg);
    assert.equal(v.ok, false, `${m} accepted ${JSON.stringify(arg).slice(0, 120)}`);
    if (!v.ok) assert.match(v.message, re);
  }
});

test('key store lifecycle: absent, unlocked by passphrase, locked on close, wrong passphrase', async (t) => {
  const dir = tempDir(t);
  const s = services(dir);
  const st0 = await ok<{ state: string; protection: string; path: string }>(s, 'keyStoreStatus');
  assert.equal(st0.state, 'absent');
  assert.equal(st0.protection, 'passphrase');
  assert.equal(st0.path, path.join(dir, 'keys', 'keys.json'));
  assert.equal((await errorOf(s, 'listKeys')).code, 'locked');

  assert.equal((await ok<{ state: string }>(s, 'unlockKeyStore', { passphrase: 'pw one' })).state, 'unlocked');
  const key = await ok<PublicKeyInfo>(s, 'generateKey', { domain: 'example.com', selector: 'ed1', type: 'ed25519' });
  assert.ok(existsSync(st0.path), 'the first key writes the store');
  assert.deepEqual((await ok<PublicKeyInfo[]>(s, 'listKeys')).map((k) => k.id), [key.id]);

  s.close();
  assert.equal((await ok<{ state: string }>(s, 'keyStoreStatus')).state, 'locked');
  assert.equal((await errorOf(s, 'generateKey', { domain: 'example.com', selector: 'x', type: 'ed25519' })).code, 'locked');

  const wrong = await errorOf(s, 'unlockKeyStore', { passphrase: 'pw two' });
  assert.equal(wrong.code, 'wrong-passphrase');
  assert.match(wrong.message, /wrong passphrase/);
  assert.equal((await ok<{ state: string }>(s, 'keyStoreStatus')).state, 'locked', 'still locked after a wrong passphrase');

  // a second host process over the same folder sees the same key after the right passphrase
  const other = services(dir);
  await ok(other, 'unlockKeyStore', { passphrase: 'pw one' });
  assert.deepEqual((await ok<PublicKeyInfo[]>(other, 'listKeys')).map((k) => k.id), [key.id]);
  const remaining = await ok<PublicKeyInfo[]>(other, 'deleteKey', { id: key.id });
  assert.deepEqual(remaining, []);
  assert.equal((await errorOf(other, 'checkPublished', { id: key.id })).code, 'not-found');

  // both open at once (the app and the CLI): each one's keys show up in the other's list, none lost
  await ok(s, 'unlockKeyStore', { passphrase: 'pw one' });
  const fromOther = await ok<PublicKeyInfo>(other, 'generateKey', { domain: 'example.com', selector: 'cli1', type: 'ed25519' });
  assert.deepEqual((await ok<PublicKeyInfo[]>(s, 'listKeys')).map((k) => k.id), [fromOther.id], 'the listing reads what the other process saved');
  const fromS = await ok<PublicKeyInfo>(s, 'generateKey', { domain: 'example.com', selector: 'app1', type: 'ed25519' });
  assert.deepEqual((await ok<PublicKeyInfo[]>(other, 'listKeys')).map((k) => k.id).sort(), [fromOther.id, fromS.id].sort());
});

test('a corrupt or foreign store is reported as store-corrupt and never overwritten', async (t) => {
  for (const content of ['{"format": "authlab-keystore", "version": 1, "keys": [', '{"hello": "world"}\n', '']) {
    const dir = tempDir(t);
    const file = path.join(dir, 'keys', 'keys.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    const s = services(dir);
    const st = await ok<{ state: string; error?: string }>(s, 'keyStoreStatus');
    assert.equal(st.state, 'corrupt', `status for ${JSON.stringify(content)}`);
    assert.match(st.error ?? '', /keys\.json/);
    const err = await errorOf(s, 'unlockKeyStore', { passphrase: 'pw' });
    assert.equal(err.code, 'store-corrupt');
    assert.match(err.message, /left untouched/);
    assert.equal((await errorOf(s, 'generateKey', { domain: 'example.com', selector: 's1', type: 'ed25519' })).code, 'locked');
    assert.equal(readFileSync(file, 'utf8'), content, 'the file is byte for byte what it was');
  }
});

test('signMessage: dual RSA + Ed25519, round trip passes with the full report; options reach the signature', async (t) => {
  const s = services(tempDir(t));
  await ok(s, 'unlockKeyStore', { passphrase: 'pw' });
  const rsa = await ok<PublicKeyInfo>(s, 'generateKey', { domain: 'example.com', selector: 'r1', type: 'rsa', bits: 1024 });
  const ed = await ok<PublicKeyInfo>(s, 'generateKey', { domain: 'example.com', selector: 'e1', type: 'ed25519' });
  const message = plainMessage();
  const res = await ok<SignMessageResult>(s, 'signMessage', {
    messageBase64: b64(message),
    keyIds: [rsa.id, ed.id],
    canonicalization: 'relaxed/simple',
    overSign: ['From', 'Subject'],
    bodyLength: true,
    expires: 7 * 86400,
  });
  const signed = Buffer.from(res.signedBase64, 'base64').toString('latin1');
  assert.ok(signed.endsWith(message), 'the original follows the added fields, untouched');
  assert.equal(res.signatures.length, 2);
  assert.deepEqual(res.signatures.map((x) => x.algorithm), ['rsa-sha256', 'ed25519-sha256']);
  const first = res.signatures[0]!.header.replace(/\r\n[ \t]+/g, ' ');
  assert.match(first, /c=relaxed\/simple/);
  assert.match(first, /\bl=\d+/);
  const tx = /\bt=(\d+);.*\bx=(\d+)/.exec(first);
  assert.ok(tx, 'x= and t= present');
  assert.equal(Number(tx[2]) - Number(tx[1]), 7 * 86400);
  assert.equal(Number(tx[1]), NOW.getTime() / 1000, 't= from the host clock');
  assert.match(first, /h=[^;]*from:[^;]*from/i, 'From over-signed');

  assert.equal(res.roundTrip.against, 'zone');
  assert.equal(res.roundTrip.pass, true);
  assert.deepEqual(res.roundTrip.signatures.map((x) => x.result), ['pass', 'pass']);
  const report = res.roundTrip.report;
  assert.ok(report, 'the verification report is returned');
  assert.deepEqual(report.dkim.map((d) => [d.selector, d.result]), [['r1', 'pass'], ['e1', 'pass']]);
  assert.ok(res.warnings.some((w) => w.code === 'body-length'));
  assert.ok(res.warnings.some((w) => w.code === 'rsa-1024'));
  assert.equal(res.live, undefined);
});

test('signMessage: ARC seal, conditional rules, and errors with their codes', async (t) => {
  const s = services(tempDir(t));
  await ok(s, 'unlockKeyStore', { passphrase: 'pw' });
  const rsa = await ok<PublicKeyInfo>(s, 'generateKey', { domain: 'example.com', selector: 'r1', type: 'rsa', bits: 1024 });
  const fwd = await ok<PublicKeyInfo>(s, 'generateKey', { domain: 'forwarder.example', selector: 'arc1', type: 'rsa', bits: 1024 });

  const sealed = await ok<SignMessageResult>(s, 'signMessage', {
    messageBase64: b64(plainMessage()),
    keyIds: [rsa.id],
    arc: { keyId: fwd.id, authResults: 'mx.forwarder.example; spf=pass smtp.mailfrom=example.com', cv: 'none' },
  });
  assert.equal(sealed.arc?.instance, 1);
  assert.equal(sealed.arc?.cv, 'none');
  assert.equal(sealed.roundTrip.arc?.result, 'pass');
  assert.equal(sealed.roundTrip.pass, true);

  // a bounce (empty envelope sender) is signed by the From domain's key
  const bounce = await ok<SignMessageResult>(s, 'signMessage', {
    messageBase64: b64(plainMessage()),
    rules: [{ name: 'brand', match: { fromDomain: 'example.com' }, sign: 'from-domain' }],
    envelopeSender: '',
  });
  assert.equal(bounce.rule?.matched?.name, 'brand');
  assert.deepEqual(bounce.rule?.keys.map((k) => k.id), [rsa.id]);
  assert.equal(bounce.rule?.alignment[0]?.strict, true);
  assert.equal(bounce.roundTrip.pass, true);

  const noKey = await errorOf(s, 'signMessage', { messageBase64: b64(plainMessage({ from: 'x@nokey.test' })), rules: [{ match: { fromDomain: '*' }, sign: 'from-domain' }] });
  assert.equal(noKey.code, 'no-key-for-rule');
  assert.match(noKey.message, /no key for nokey\.test/);
  const noFrom = await errorOf(s, 'signMessage', { messageBase64: b64(plainMessage()), keyIds: [rsa.id], headers: ['To', 'Subject'] });
  assert.equal(noFrom.code, 'from-not-signed');
  const missing = await errorOf(s, 'signMessage', { messageBase64: b64(plainMessage()), keyIds: ['k_00000000000000ff'] });
  assert.equal(missing.code, 'not-found');
  const dup = await errorOf(s, 'generateKey', { domain: 'example.com', selector: 'r1', type: 'ed25519' });
  assert.equal(dup.code, 'duplicate');
  const cert = await errorOf(s, 'importKey', { pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', domain: 'example.com', selector: 'c1' });
  assert.equal(cert.code, 'certificate');
});

test('checkPublished and the live round trip use live DNS from the settings; offline says so', async (t) => {
  const live = new MemoryResolver();
  const s = services(tempDir(t), { protection: { kind: 'passphrase', scrypt: FAST_SCRYPT }, liveResolver: () => live });
  await ok(s, 'unlockKeyStore', { passphrase: 'pw' });
  const key = await ok<PublicKeyInfo>(s, 'generateKey', { domain: 'example.com', selector: 'e1', type: 'ed25519' });
  assert.equal((await ok<{ status: string }>(s, 'checkPublished', { id: key.id })).status, 'absent');
  live.add(key.dnsName, { type: 'TXT', data: [key.dnsValue] });
  assert.equal((await ok<{ status: string }>(s, 'checkPublished', { id: key.id })).status, 'matching');

  await s.setSettings({ ...(await s.getSettings()), offline: true });
  const off = await ok<{ status: string; detail: string }>(s, 'checkPublished', { id: key.id });
  assert.equal(off.status, 'unavailable');
  assert.match(off.detail, /offline/);
  assert.equal((await errorOf(s, 'signMessage', { messageBase64: b64(plainMessage()), keyIds: [key.id], live: true })).code, 'offline');
});

/** A stand-in for Electron's safeStorage: reversible, and refuses what it did not encrypt. */
function fakeSafeStorage(backend: string, available = true): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain) => Buffer.concat([Buffer.from('SAFE:'), Buffer.from(plain).reverse()]),
    decryptString: (blob) => {
      if (!blob.subarray(0, 5).equals(Buffer.from('SAFE:'))) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(blob.subarray(5)).reverse().toString();
    },
    getSelectedStorageBackend: () => backend,
  };
}

test('Electron safeStorage: opens by itself; basic_text is reported with a warning, not hidden', async (t) => {
  const dir = tempDir(t);
  const keyring = services(dir, { protection: () => safeStorageProtection(fakeSafeStorage('gnome_libsecret'), 'linux') });
  const st = await ok<{ state: string; protection: string; warning?: string }>(keyring, 'keyStoreStatus');
  assert.deepEqual([st.state, st.protection, st.warning], ['unlocked', 'safeStorage', undefined]);
  const key = await ok<PublicKeyInfo>(keyring, 'generateKey', { domain: 'example.com', selector: 's1', type: 'ed25519' });
  const onDisk = JSON.parse(readFileSync(path.join(dir, 'keys', 'keys.json'), 'utf8'));
  assert.equal(onDisk.encryption.kind, 'safe-storage');

  const basic = services(dir, { protection: () => safeStorageProtection(fakeSafeStorage('basic_text'), 'linux') });
  const bst = await ok<{ state: string; protection: string; warning?: string }>(basic, 'keyStoreStatus');
  assert.equal(bst.protection, 'safeStorage-basic-text');
  assert.equal(bst.warning, BASIC_TEXT_WARNING);
  assert.match(bst.warning ?? '', /NOT protected/);
  assert.deepEqual((await ok<PublicKeyInfo[]>(basic, 'listKeys')).map((k) => k.id), [key.id]);

  // the web host cannot open a keychain store with a passphrase, and says why
  const web = services(dir);
  const wst = await ok<{ state: string; error?: string }>(web, 'keyStoreStatus');
  assert.equal(wst.state, 'locked');
  assert.match(wst.error ?? '', /desktop app/);
  assert.equal((await errorOf(web, 'unlockKeyStore', { passphrase: 'pw' })).code, 'wrong-encryptor');

  // no keychain at all: a passphrase, with a note
  const none = safeStorageProtection(fakeSafeStorage('unknown', false), 'linux');
  assert.equal(none.kind, 'passphrase');
  assert.match(none.warning ?? '', /not available/);
  // macOS/Windows never report basic_text
  assert.equal((safeStorageProtection(fakeSafeStorage('basic_text'), 'darwin') as { protection?: string }).protection, 'safeStorage');
});

test('renderer-facing outputs never carry private key bytes (every method but exportPrivateKey)', async (t) => {
  const s = services(tempDir(t), { protection: { kind: 'passphrase', scrypt: FAST_SCRYPT }, liveResolver: () => new MemoryResolver() });
  const outputs: unknown[] = [];
  const seen = new Set<ApiMethod>();
  const record = async (method: ApiMethod, arg?: unknown) => {
    seen.add(method);
    const e = await call(s, method, arg);
    outputs.push(e);
    return e;
  };
  await record('keyStoreStatus');
  await record('unlockKeyStore', { passphrase: 'pw' });
  const rsa = ((await record('generateKey', { domain: 'example.com', selector: 'r1', type: 'rsa', bits: 1024 })) as { value: PublicKeyInfo }).value;
  const ed = ((await record('generateKey', { domain: 'example.com', selector: 'e1', type: 'ed25519' })) as { value: PublicKeyInfo }).value;
  const importedPem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
  const imp = ((await record('importKey', { pem: importedPem, domain: 'example.org', selector: 'i1' })) as { value: PublicKeyInfo }).value;
  await record('listKeys');
  await record('checkPublished', { id: rsa.id });
  await record('signMessage', { messageBase64: b64(plainMessage()), keyIds: [rsa.id, ed.id], arc: { keyId: imp.id, authResults: 'mx.example.org; dkim=pass header.d=example.com' } });
  await record('signMessage', { messageBase64: b64(plainMessage()), rules: [{ match: { fromDomain: 'example.com' }, sign: 'from-domain' }], envelopeSender: '' });
  await record('signMessage', { messageBase64: b64(plainMessage({ from: 'a@nokey.test' })), rules: [{ match: { fromDomain: '*' }, sign: 'from-domain' }] });
  await record('deleteKey', { id: imp.id });
  await record('keyStoreStatus');

  // the explicit export returns exactly the private key
  const pems = [importedPem];
  for (const k of [rsa, ed]) {
    const e = await call<{ pem: string; fileName: string }>(s, 'exportPrivateKey', { id: k.id, confirm: true });
    assert.ok(e.ok);
    assert.match(e.value.pem, /^-----BEGIN PRIVATE KEY-----/);
    assert.equal(e.value.fileName, `${k.selector}._domainkey.example.com.private.pem`);
    pems.push(e.value.pem);
  }
  seen.add('exportPrivateKey');
  const signingMethods: ApiMethod[] = ['keyStoreStatus', 'unlockKeyStore', 'listKeys', 'generateKey', 'importKey', 'deleteKey', 'checkPublished', 'signMessage', 'exportPrivateKey'];
  assert.deepEqual(signingMethods.filter((m) => !seen.has(m)), [], 'every signing method was exercised');
  assert.ok(signingMethods.every((m) => (API_METHODS as readonly string[]).includes(m)));

  const secrets: string[] = [];
  for (const pem of pems) {
    const body = pem.replace(/-----[^-]+-----|\s/g, '');
    // the PEM body in 64-character runs (the public modulus inside it is public, so skip its first part)
    for (let i = body.length - 64; i > body.length / 2; i -= 64) secrets.push(body.slice(i, i + 64));
    const jwk = createPrivateKey(pem).export({ format: 'jwk' });
    for (const c of [jwk.d, jwk.p, jwk.q]) {
      if (!c) continue;
      const bytes = Buffer.from(c, 'base64url');
      secrets.push(bytes.toString('base64url').slice(0, 32), bytes.toString('base64').slice(0, 32), bytes.toString('hex').slice(0, 32));
    }
  }
  const serialised = JSON.stringify(outputs);
  assert.ok(serialised.length > 20_000, 'the outputs (with the round-trip reports) were really serialised');
  assert.ok(serialised.includes(rsa.publicKey), 'public parts are there');
  assert.doesNotMatch(serialised, /PRIVATE KEY/);
  // also with line breaks (a PEM's, or JSON-escaped ones) taken out, so a folded body is found too
  const unfolded = serialised.replace(/\\[nrt]|\s/g, '');
  for (const secret of secrets) {
    assert.ok(!serialised.includes(secret) && !unfolded.includes(secret), `a private key fragment leaked: ${secret.slice(0, 12)}…`);
  }
  // the search can fail: the fragments are really in the exported keys
  const exported = pems.join('').replace(/\s/g, '');
  assert.ok(secrets.filter((x) => x.length === 64).every((x) => exported.includes(x)), 'the fragments searched for come from the private keys');
});
