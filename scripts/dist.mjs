#!/usr/bin/env node
// `npm run dist`: installers with electron-builder (config: build/electron-builder.json).
// Needs the Electron binary and electron-builder, neither of which is on these machines: then it
// says so in one line and exits 1, instead of trying to download anything.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const builderCli = path.join(root, 'node_modules', 'electron-builder', 'cli.js');
if (!existsSync(builderCli)) {
  console.error(`dist: electron-builder is not installed; run "npm i -D electron-builder" in ${root} (with network access), then "npm run dist" again`);
  process.exit(1);
}
const electron = findElectronBinary(root);
if (!electron.ok) {
  console.error(`dist: the Electron binary is not available (${electron.reason}); install it with "npx install-electron" in ${root} or set ELECTRON_OVERRIDE_DIST_PATH`);
  process.exit(1);
}

const { buildRendererIfNeeded, buildElectronIfNeeded } = await import('./start.mjs');
buildRendererIfNeeded();
await buildElectronIfNeeded();
const r = spawnSync(process.execPath, [builderCli, '--config', 'build/electron-builder.json', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
