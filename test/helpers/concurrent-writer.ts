// Child process for the concurrency test: opens the key store (already created by the parent),
// waits for the go file, then adds N keys as fast as it can and prints "saved ID" for each.

import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKey } from '../../electron/engine/keys/dkim-key.ts';
import { openKeyStore } from '../../electron/engine/keys/key-store.ts';

const [dir, passphrase, count, go] = process.argv.slice(2);
const store = await openKeyStore(dir, { passphrase, scrypt: { N: 1024, r: 8, p: 1 } });
const keys = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) => generateKey({ type: 'ed25519', domain: 'example.com', selector: `p${process.pid}n${i}` })),
);
process.stdout.write('ready\n');
while (!existsSync(go)) await sleep(2);
for (const key of keys) {
  await store.add(key);
  process.stdout.write(`saved ${key.info.id}\n`);
}
