// Child process for the kill test: opens the key store and saves keys in a loop, reporting
// "saved ID" on stdout only after save() resolved. The parent SIGKILLs it at random moments.

import { openKeyStore } from '../../electron/engine/keys/key-store.ts';
import { generateKey } from '../../electron/engine/keys/dkim-key.ts';

const [dir, passphrase] = process.argv.slice(2);
const store = await openKeyStore(dir, { passphrase, scrypt: { N: 1024, r: 8, p: 1 } });
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const key = await generateKey({ type: 'ed25519', domain: 'example.com', selector: `s${process.pid}x${i}` });
  await store.add(key);
  process.stdout.write(`saved ${key.info.id}\n`);
  // now and then a delete, so rewrites also shrink the file
  if (i % 7 === 6) {
    const victim = store.list().find((k) => k.selector.startsWith(`s${process.pid}x`) && k.id !== key.info.id);
    if (victim) {
      // announced first: a delete that completes just before the kill is not a lost key
      process.stdout.write(`deleting ${victim.id}\n`);
      await store.delete(victim.id);
      process.stdout.write(`deleted ${victim.id}\n`);
    }
  }
}
