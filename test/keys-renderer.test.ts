// The renderer-facing API never returns private key bytes: every output of SigningService
// (except the explicit exportPrivateKey) is serialised and searched for PEM markers and the
// private keys' base64 bodies.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openKeyStore } from '../electron/engine/keys/key-store.ts';
import { SigningService } from '../electron/engine/signing/signing-service.ts';
import { createEngine } from '../electron/engine/engine.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { plainMessage } from './helpers/signed-message.ts';

test('renderer-facing outputs carry ids and public parts only', async () => {
  const store = await openKeyStore(mkdtempSync(path.join(os.tmpdir(), 'authlab-rf-')), { passphrase: 'pw', scrypt: { N: 1024, r: 8, p: 1 } });
  const live = new MemoryResolver();
  const service = new SigningService({ store, engine: createEngine(), live: { resolver: live, dns: { offline: true } } });
  const outputs: unknown[] = [];
  const rsa = await service.generateKey({ domain: 'example.com', selector: 'r1' });
  const ed = await service.generateKey({ domain: 'example.com', selector: 'e1', type: 'ed25519' });
  const imported = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
  const imp = await service.importKey({ pem: imported, domain: 'example.org', selector: 'i1' });
  outputs.push(rsa, ed, imp, service.listKeys(), service.getKey(rsa.id), await service.checkPublished(rsa.id));
  live.add(rsa.dnsName, { type: 'TXT', data: [rsa.dnsValue] });
  outputs.push(await service.checkPublished(rsa.id));
  outputs.push(
    await service.sign({ message: plainMessage(), keyIds: [rsa.id, ed.id], arc: { keyId: imp.id, authResults: 'mx.example.org; dkim=pass header.d=example.com' }, live: true }),
    await service.sign({ message: plainMessage(), rules: [{ match: { fromDomain: 'example.com' }, sign: 'from-domain' }], envelopeSender: '' }),
  );
  await assert.rejects(service.sign({ message: plainMessage({ from: 'a@nokey.test' }), rules: [{ match: { fromDomain: '*' }, sign: 'from-domain' }] }), (err: Error) => {
    outputs.push({ ...err, message: err.message });
    return /no key for nokey\.test/.test(err.message);
  });

  // the PEM bodies (minus the public modulus they also contain), and the private components
  // themselves (RSA d, p, q; the Ed25519 seed) in every text encoding a leak could take
  const bodies: string[] = [];
  const components: string[] = [];
  const pems = [imported];
  for (const k of service.listKeys()) {
    const pem = await service.exportPrivateKey(k.id);
    assert.match(pem, /^-----BEGIN PRIVATE KEY-----/, 'explicit export works');
    pems.push(pem);
  }
  for (const pem of pems) {
    bodies.push(pem.replace(/-----[^-]+-----|\s/g, ''));
    const jwk = createPrivateKey(pem).export({ format: 'jwk' });
    for (const c of [jwk.d, jwk.p, jwk.q]) {
      if (!c) continue;
      const bytes = Buffer.from(c, 'base64url');
      components.push(bytes.toString('base64url').slice(0, 40), bytes.toString('base64').slice(0, 40), bytes.toString('hex').slice(0, 40));
    }
  }
  const serialised = JSON.stringify(outputs, (_k, v) => (v && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('latin1') : v));
  const publicText = service.listKeys().map((k) => k.publicKey).join(' ');
  assert.ok(serialised.length > 5000, 'the outputs were really serialised');
  assert.doesNotMatch(serialised, /PRIVATE KEY/);
  assert.ok(components.length >= 3 * 8, 'RSA d, p, q and Ed25519 seeds collected');
  for (const c of components) assert.equal(serialised.includes(c), false, `a private key component appears in a renderer-facing output`);
  for (const body of bodies) {
    for (let i = 0; i + 40 <= body.length; i += 20) {
      const w = body.slice(i, i + 40);
      if (publicText.includes(w)) continue; // the RSA modulus is in the private key too
      assert.equal(serialised.includes(w), false, `private key bytes in a renderer-facing output: ${w}`);
    }
  }
  assert.ok(serialised.includes(rsa.publicKey), 'public parts are there');
});
