import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openKeyStore, KeyStoreError, STORE_FILE } from '../electron/engine/keys/key-store.ts';
import { generateKey } from '../electron/engine/keys/dkim-key.ts';
import { createPassphraseEncryptor, newSalt, DecryptError, type Encryptor } from '../electron/engine/keys/encryptor.ts';

const FAST = { N: 1024, r: 8, p: 1 };
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'authlab-ks-'));

test('keys survive a reopen, encrypted at rest', async () => {
  const dir = tmp();
  const store = await openKeyStore(dir, { passphrase: 'correct horse', scrypt: FAST });
  assert.equal(existsSync(path.join(dir, STORE_FILE)), false, 'nothing is written before the first key');
  const key = await generateKey({ domain: 'example.com', selector: 's1' });
  const info = await store.add(key);
  const raw = readFileSync(path.join(dir, STORE_FILE), 'utf8');
  const body = key.privateKeyPem.split('\n')[1];
  assert.equal(raw.includes('PRIVATE KEY'), false);
  assert.equal(raw.includes(body), false, 'no plaintext key material in the file');
  assert.equal(JSON.parse(raw).format, 'authlab-keystore');
  if (process.platform !== 'win32') assert.equal(statSync(path.join(dir, STORE_FILE)).mode & 0o777, 0o600);

  const again = await openKeyStore(dir, { passphrase: 'correct horse' });
  assert.deepEqual(again.list(), [info]);
  assert.equal(await again.exportPrivateKey(info.id), key.privateKeyPem);
  await again.delete(info.id);
  assert.deepEqual((await openKeyStore(dir, { passphrase: 'correct horse' })).list(), []);
});

test('a wrong passphrase is a clear error, found by the GCM tag', async () => {
  const dir = tmp();
  const store = await openKeyStore(dir, { passphrase: 'right', scrypt: FAST });
  await store.add(await generateKey({ domain: 'example.com', selector: 's1', type: 'ed25519' }));
  await assert.rejects(openKeyStore(dir, { passphrase: 'wrong' }), (err: KeyStoreError) => {
    assert.equal(err.code, 'wrong-passphrase');
    assert.equal(err.message, `wrong passphrase for the key store at ${path.join(dir, STORE_FILE)}`);
    return true;
  });
  const enc = createPassphraseEncryptor('a', newSalt(), FAST);
  const blob = enc.encrypt(Buffer.from('secret')) as Buffer;
  assert.throws(() => createPassphraseEncryptor('b', newSalt(), FAST).decrypt(blob), DecryptError);
  blob[blob.length - 1] ^= 1;
  assert.throws(() => enc.decrypt(blob), DecryptError, 'a flipped ciphertext bit fails the tag');
});

test('a corrupt file is reported and never overwritten', async () => {
  for (const content of ['{"format":"authlab-keystore","version":1,"encr', '', '{"format":"authlab-keystore","version":1,"encryption":{"kind":"passphrase"},"check":"x","keys":[]}']) {
    const dir = tmp();
    const file = path.join(dir, STORE_FILE);
    writeFileSync(file, content);
    await assert.rejects(openKeyStore(dir, { passphrase: 'pw', scrypt: FAST }), (err: KeyStoreError) => err.code === 'corrupt' && err.message.includes(file));
    assert.equal(readFileSync(file, 'utf8'), content);
  }
});

test('a foreign file (some other JSON) is reported, not taken over', async () => {
  const dir = tmp();
  const file = path.join(dir, STORE_FILE);
  const foreign = JSON.stringify({ keys: [{ id: 1 }], app: 'something else' });
  writeFileSync(file, foreign);
  await assert.rejects(openKeyStore(dir, { passphrase: 'pw' }), (err: KeyStoreError) => err.code === 'foreign' && /not an AuthLab key store/.test(err.message));
  writeFileSync(file, JSON.stringify({ format: 'authlab-keystore', version: 9 }));
  await assert.rejects(openKeyStore(dir, { passphrase: 'pw' }), (err: KeyStoreError) => err.code === 'unsupported-version');
});

test('a file replaced behind the store\'s back is not overwritten by the next save', async () => {
  const dir = tmp();
  const file = path.join(dir, STORE_FILE);
  const store = await openKeyStore(dir, { passphrase: 'pw', scrypt: FAST });
  await store.add(await generateKey({ domain: 'example.com', selector: 's1', type: 'ed25519' }));
  writeFileSync(file, 'garbage from another program');
  await assert.rejects(store.add(await generateKey({ domain: 'example.com', selector: 's2', type: 'ed25519' })), (err: KeyStoreError) => err.code === 'changed-on-disk');
  assert.equal(readFileSync(file, 'utf8'), 'garbage from another program');
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temp file left behind');
});

test('an injected encryptor (safeStorage in Electron) is used and recorded', async () => {
  const dir = tmp();
  const xor: Encryptor = {
    kind: 'test-keychain',
    encrypt: (b) => Buffer.concat([Buffer.from('TK'), Buffer.from(b.map((x) => x ^ 0x5a))]),
    decrypt: (b) => {
      if (b.subarray(0, 2).toString() !== 'TK') throw new DecryptError();
      return Buffer.from(b.subarray(2).map((x) => x ^ 0x5a));
    },
  };
  const store = await openKeyStore(dir, { encryptor: xor });
  const key = await generateKey({ domain: 'example.com', selector: 'e1', type: 'ed25519' });
  const info = await store.add(key);
  assert.equal((await openKeyStore(dir, { encryptor: xor })).get(info.id).publicKey, info.publicKey);
  assert.equal(await (await openKeyStore(dir, { encryptor: xor })).exportPrivateKey(info.id), key.privateKeyPem);
  await assert.rejects(openKeyStore(dir, { passphrase: 'pw' }), (err: KeyStoreError) => err.code === 'wrong-encryptor');
});

test('two keys for the same selector and domain are refused; unknown ids are reported', async () => {
  const store = await openKeyStore(tmp(), { passphrase: 'pw', scrypt: FAST });
  await store.add(await generateKey({ domain: 'example.com', selector: 's1', type: 'ed25519' }));
  await assert.rejects(store.add(await generateKey({ domain: 'example.com', selector: 's1', type: 'ed25519' })), (e: KeyStoreError) => e.code === 'duplicate');
  assert.throws(() => store.get('k_nope'), (e: KeyStoreError) => e.code === 'not-found');
  await assert.rejects(store.delete('k_nope'), (e: KeyStoreError) => e.code === 'not-found');
});
