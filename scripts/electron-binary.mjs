// Where the Electron binary is, or why there is none. Never `require('electron')`: from plain Node
// that tries to download the binary, which these machines cannot do.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** @returns {{ ok: true, path: string } | { ok: false, reason: string }} */
export function findElectronBinary(root, env = process.env, platform = process.platform) {
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const exe = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : platform === 'win32' ? 'electron.exe' : 'electron');
    return existsSync(exe) ? { ok: true, path: exe } : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${exe} does not exist` };
  }
  const pkgDir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(pkgDir)) return { ok: false, reason: 'the electron package is not installed' };
  const pathFile = path.join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return { ok: false, reason: 'node_modules/electron has no downloaded binary (no path.txt)' };
  const exe = path.join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? { ok: true, path: exe } : { ok: false, reason: `${path.relative(root, exe)} is missing` };
}
