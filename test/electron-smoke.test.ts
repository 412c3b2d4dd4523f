// Launches the real app with playwright-core's _electron where a binary exists. Elsewhere the same
// UI is tested in Chromium through the web host.

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './helpers/paths.ts';

const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH;
const skip = dist && existsSync(dist) ? false : 'Electron binary not available (set ELECTRON_OVERRIDE_DIST_PATH); the same UI is tested in Chromium through the web host';

test('the window loads app://authlab with the sandboxed bridge', { skip, timeout: 120_000 }, async (t) => {
  const { _electron } = await import('playwright-core');
  // @ts-expect-error: a plain .mjs build script without type declarations
  const { buildElectron } = await import('../scripts/build-electron.mjs');
  await buildElectron();
  assert.ok(existsSync(path.join(repoRoot, 'dist/renderer/index.html')), 'run "npm run build" first: the renderer is not built');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'authlab-smoke-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const app = await _electron.launch({
    executablePath: path.join(dist as string, process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron'),
    args: [path.join(repoRoot, 'dist/electron/main.mjs')],
    env: { ...process.env, AUTHLAB_DATA_DIR: dataDir },
  });
  t.after(() => app.close());
  const page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  assert.match(page.url(), /^app:\/\/authlab\//);
  const shape = await page.evaluate(() => {
    const w = globalThis as unknown as Record<string, unknown>;
    return { bridge: typeof w.authlabIpc, require: typeof w.require, process: typeof w.process };
  });
  assert.deepEqual(shape, { bridge: 'object', require: 'undefined', process: 'undefined' });
  const info = await page.evaluate(async () => {
    const ipc = (globalThis as unknown as { authlabIpc: { appInfo(): Promise<unknown> } }).authlabIpc;
    return ipc.appInfo();
  });
  assert.equal((info as { ok: boolean; value: { shell: string } }).value.shell, 'electron');
});
