// Kill the key store's writer with SIGKILL at random moments, many times: the store must always
// open, no key once reported saved may be lost (nor a reported delete undone), and no file may
// be left corrupt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openKeyStore } from '../electron/engine/keys/key-store.ts';

const writer = fileURLToPath(new URL('./helpers/kill-writer.ts', import.meta.url));
const ATTEMPTS = Number(process.env.AUTHLAB_KILL_ATTEMPTS ?? 200);
const BUDGET_MS = 60_000;
const LANES = Math.max(2, Math.min(4, os.availableParallelism())); // independent stores killed in parallel: more attempts in the time budget

function runAndKill(dir: string, plan: { afterSaves: number; delayMs: number }): Promise<{ saved: string[]; deleting: string[]; deleted: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, 'kill-test'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const saved: string[] = [];
    const deleting: string[] = [];
    const deleted: string[] = [];
    let buf = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready' && plan.afterSaves === 0) setTimeout(() => child.kill('SIGKILL'), plan.delayMs);
        else if (line.startsWith('saved ')) {
          saved.push(line.slice(6));
          if (saved.length === plan.afterSaves) setTimeout(() => child.kill('SIGKILL'), plan.delayMs);
        }
        else if (line.startsWith('deleting ')) deleting.push(line.slice(9));
        else if (line.startsWith('deleted ')) deleted.push(line.slice(8));
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ saved, deleting, deleted });
      else reject(new Error(`writer exited on its own (${code}): ${err}`));
    });
  });
}

async function lane(budgetEnd: number, quota: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authlab-kill-'));
  const present = new Set<string>();
  const gone = new Set<string>();
  let attempts = 0;
  let killedWithWork = 0;
  while (attempts < quota && Date.now() < budgetEnd) {
    attempts++;
    // half the kills at a random moment after start-up, half a few ms after the n-th save
    // returned, so they land inside the next write (temp file, fsync, rename, dir fsync)
    const plan = Math.random() < 0.5 ? { afterSaves: 0, delayMs: Math.random() * 40 } : { afterSaves: 1 + Math.floor(Math.random() * 8), delayMs: Math.random() * 6 };
    const { saved, deleting, deleted } = await runAndKill(dir, plan);
    for (const id of saved) present.add(id);
    // a delete that was announced but not confirmed may or may not have happened
    for (const id of deleting) present.delete(id);
    for (const id of deleted) gone.add(id);
    if (saved.length) killedWithWork++;
    // the store opens (not corrupt, not foreign) and holds what was reported
    const store = await openKeyStore(dir, { passphrase: 'kill-test' });
    const ids = new Set(store.list().map((k) => k.id));
    for (const id of present) assert.ok(ids.has(id), `attempt ${attempts}: key ${id} was reported saved but is missing`);
    for (const id of gone) assert.ok(!ids.has(id), `attempt ${attempts}: key ${id} was reported deleted but is back`);
    // the keys saved in this round decrypt
    for (const id of saved) if (ids.has(id)) assert.match(await store.exportPrivateKey(id), /^-----BEGIN PRIVATE KEY-----/);
    // temp files of dead writers are removed when the store opens; one may survive only when its
    // writer's pid was already reused (pid_max wraps quickly on a busy machine)
    // a writer killed while holding the store's lock leaves keys.json.lock: the next writer takes
    // it over once it is stale (test/keys-concurrency.test.ts)
    const stray = readdirSync(dir).filter((n) => n !== 'keys.json' && n !== 'keys.json.lock');
    for (const n of stray) assert.match(n, /^\.keys\.json\.\d+\.[0-9a-f]{8}\.tmp$/, `attempt ${attempts}: unexpected file ${n}`);
    assert.ok(stray.length <= 2, `attempt ${attempts}: temp files pile up: ${stray.join(', ')}`);
  }
  // finally every key in the store decrypts
  const store = await openKeyStore(dir, { passphrase: 'kill-test' });
  for (const k of store.list()) assert.match(await store.exportPrivateKey(k.id), /^-----BEGIN PRIVATE KEY-----/);
  return { attempts, killedWithWork, kept: present.size };
}

test(`SIGKILL during writes, up to ${ATTEMPTS} times: nothing saved is lost, nothing is corrupt`, { timeout: BUDGET_MS + 30_000 }, async (t) => {
  const end = Date.now() + BUDGET_MS;
  const results = await Promise.all(Array.from({ length: LANES }, () => lane(end, Math.ceil(ATTEMPTS / LANES))));
  const attempts = results.reduce((a, r) => a + r.attempts, 0);
  const killedWithWork = results.reduce((a, r) => a + r.killedWithWork, 0);
  t.diagnostic(`${attempts} kills, ${killedWithWork} after at least one save, ${results.reduce((a, r) => a + r.kept, 0)} keys kept`);
  assert.ok(attempts >= Math.min(ATTEMPTS, 30), `only ${attempts} attempts fit in the time budget`);
  assert.ok(killedWithWork > attempts / 4, `only ${killedWithWork} of ${attempts} kills happened after a save: the test is not exercising writes`);
  assert.ok(results.every((r) => r.kept > 0));
});
