// Signing speed: the lab's signMessage next to raw mailauth.dkimSign in the same run, for a
// 10 KB and a 25 MB message with RSA-2048 and Ed25519; plus keygen timings.
// Run: node bench/sign-bench.ts   (target: lab/raw under 1.2×; the round-trip verify is excluded)

import { performance } from 'node:perf_hooks';
import { dkimSign } from 'mailauth';
import { generateKey, type SigningKey } from '../electron/engine/keys/dkim-key.ts';
import { signMessage } from '../electron/engine/signing/sign-message.ts';
import { DEFAULT_SIGNED_HEADERS } from '../electron/engine/signing/header-policy.ts';

function message(bytes: number): Buffer {
  const head = [
    'From: Alice <alice@example.com>', 'To: Bob <bob@example.net>', 'Subject: benchmark', 'Date: Tue, 24 Nov 2026 10:00:00 +0000',
    'Message-ID: <bench@example.com>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', '',
  ].join('\r\n');
  const line = 'The quick brown fox jumps over the lazy dog; 0123456789 abcdefghij.\r\n';
  return Buffer.concat([Buffer.from(head), Buffer.from(line.repeat(Math.ceil((bytes - head.length) / line.length))).subarray(0, bytes - head.length)]);
}

async function time(fn: () => Promise<unknown>, iterations: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return (performance.now() - t0) / iterations;
}

async function keygen(type: 'rsa' | 'ed25519', n: number): Promise<number> {
  return time(() => generateKey({ type, domain: 'example.com', selector: 's' }), n);
}

const rsa = await generateKey({ domain: 'example.com', selector: 'rsa' });
const ed = await generateKey({ domain: 'example.com', selector: 'ed', type: 'ed25519' });
const signTime = new Date();

const raw = (msg: Buffer, key: SigningKey) => async () => {
  const one = { signingDomain: key.info.domain, selector: key.info.selector, privateKey: key.privateKeyPem, algorithm: key.info.algorithm };
  // mailauth 7.1.0 signs only what is in signatureData (the top-level key fields are ignored)
  const res = await dkimSign(msg, { ...one, signatureData: [{ ...one }], canonicalization: 'relaxed/relaxed', headerList: [...DEFAULT_SIGNED_HEADERS], signTime, strict: true });
  if (!res.signatures) throw new Error('raw dkimSign made no signature');
  // what any caller does next: prepend the signature
  return Buffer.concat([Buffer.from(res.signatures), msg]);
};
const lab = (msg: Buffer, key: SigningKey) => () => signMessage(msg, { keys: [{ key }], signTime });

console.log('size    key        raw ms/op   lab ms/op   lab/raw');
let worst = 0;
for (const [label, size, iterations, rounds] of [['10 KB', 10 * 1024, 100, 7], ['25 MB', 25 * 1024 * 1024, 1, 6]] as const) {
  const msg = message(size);
  for (const key of [rsa, ed]) {
    // warm up, then alternate rounds so drift and GC hit both sides alike; keep each side's best
    await raw(msg, key)();
    await lab(msg, key)();
    let r = Infinity;
    let l = Infinity;
    for (let i = 0; i < rounds; i++) {
      r = Math.min(r, await time(raw(msg, key), iterations));
      l = Math.min(l, await time(lab(msg, key), iterations));
    }
    worst = Math.max(worst, l / r);
    console.log(`${label.padEnd(7)} ${key.info.type === 'rsa' ? 'RSA-2048' : 'Ed25519 '}   ${r.toFixed(2).padStart(9)}   ${l.toFixed(2).padStart(9)}   ${(l / r).toFixed(2)}×`);
  }
}
console.log(`\nkeygen: RSA-2048 ${(await keygen('rsa', 10)).toFixed(1)} ms, Ed25519 ${(await keygen('ed25519', 200)).toFixed(2)} ms (mean)`);
console.log(`worst lab/raw ratio ${worst.toFixed(2)}× — target under 1.2×: ${worst < 1.2 ? 'met' : 'NOT met'}`);
