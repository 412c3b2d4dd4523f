// Two AuthLab processes (the app and the CLI, say) writing one key store: writes take turns under
// the store's lock, and each side's keys survive the other's saves. A store someone else replaced
// with something that is not ours is still never written over (test/keys-store.test.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKey } from '../electron/engine/keys/dkim-key.ts';
import { openKeyStore, STORE_FILE } from '../electron/engine/keys/key-store.ts';

const FAST = { N: 1024, r: 8, p: 1 };
const writer = fileURLToPath(new URL('./helpers/concurrent-writer.ts', import.meta.url));
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'authlab-keys-conc-'));

test('two stores open on the same file: each save takes in the other\'s keys instead of losing them', async () => {
  const dir = tmp();
  try {
    const a = await openKeyStore(dir, { passphrase: 'pw', scrypt: FAST });
    await a.add(await generateKey({ type: 'ed25519', domain: 'example.com', selector: 'a1' }));
    const b = await openKeyStore(dir, { passphrase: 'pw' }); // the CLI, opened while the app runs
    await b.add(await generateKey({ type: 'ed25519', domain: 'example.com', selector: 'b1' }));
    assert.deepEqual(a.list().map((k) => k.selector), ['a1'], 'a has not looked yet');
    await a.refresh();
    assert.deepEqual(a.list().map((k) => k.selector).sort(), ['a1', 'b1'], 'refresh() takes in the other process\'s save');
    await a.add(await generateKey({ type: 'ed25519', domain: 'example.com', selector: 'a2' })); // a's view is stale here
    await b.delete(b.find('example.com', 'a1')[0].id);
    await assert.rejects(
      a.add(await generateKey({ type: 'ed25519', domain: 'example.com', selector: 'b1' })),
      (err: Error & { code?: string }) => err.code === 'duplicate',
      'a selector another process took in the meantime is a duplicate',
    );
    const onDisk = await openKeyStore(dir, { passphrase: 'pw' });
    assert.deepEqual(onDisk.list().map((k) => k.selector).sort(), ['a2', 'b1']);
    assert.deepEqual(a.list().map((k) => k.selector).sort(), ['a2', 'b1'], 'the store that adopted the other\'s save lists what is on disk');
    assert.deepEqual(readdirSync(dir).sort(), [STORE_FILE], 'no lock or temp file left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('four processes adding keys at the same moment: every key reported saved is in the store', { timeout: 120_000 }, async () => {
  const dir = tmp();
  try {
    // created first, so all writers share its salt
    const first = await openKeyStore(dir, { passphrase: 'conc', scrypt: FAST });
    await first.add(await generateKey({ type: 'ed25519', domain: 'example.com', selector: 'seed' }));
    const go = path.join(dir, 'go');
    const PER = 15;
    const children = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, [writer, dir, 'conc', String(PER), go], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const ready = new Promise<void>((r) => child.stdout.on('data', () => out.includes('ready\n') && r()));
      const done = new Promise<string[]>((resolve, reject) =>
        child.on('exit', (code) => (code === 0 ? resolve(out.split('\n').filter((l) => l.startsWith('saved ')).map((l) => l.slice(6))) : reject(new Error(`writer exited ${code}: ${err}`)))),
      );
      return { ready, done };
    });
    await Promise.all(children.map((c) => c.ready));
    writeFileSync(go, '');
    const saved = (await Promise.all(children.map((c) => c.done))).flat();
    assert.equal(saved.length, 4 * PER);
    const store = await openKeyStore(dir, { passphrase: 'conc' });
    const ids = new Set(store.list().map((k) => k.id));
    for (const id of saved) assert.ok(ids.has(id), `key ${id} was reported saved but is missing`);
    assert.equal(ids.size, 4 * PER + 1);
    for (const k of store.list()) assert.match(await store.exportPrivateKey(k.id), /^-----BEGIN PRIVATE KEY-----/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock left by a writer that was killed is taken over once stale; a live one makes a writer wait', async () => {
  const dir = tmp();
  try {
    const store = await openKeyStore(dir, { passphrase: 'pw', scrypt: FAST });
    await store.add(await generateKey({ type: 'ed25519', domain: 'example.com', selector: 's1' }));
    // what a SIGKILLed holder leaves: the lock directory, no longer refreshed
    const lock = path.join(dir, `${STORE_FILE}.lock`);
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await store.add(await generateKey({ type: 'ed25519', domain: 'example.com', selector: 's2' }));
    assert.deepEqual(store.list().map((k) => k.selector).sort(), ['s1', 's2']);
    assert.deepEqual(readdirSync(dir).sort(), [STORE_FILE]);
    // a fresh lock (a live holder): the writer waits for it, then saves
    mkdirSync(lock);
    const t0 = Date.now();
    setTimeout(() => rmSync(lock, { recursive: true, force: true }), 300);
    await store.add(await generateKey({ type: 'ed25519', domain: 'example.com', selector: 's3' }));
    assert.ok(Date.now() - t0 >= 250, 'waited for the holder');
    assert.equal((await openKeyStore(dir, { passphrase: 'pw' })).list().length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
