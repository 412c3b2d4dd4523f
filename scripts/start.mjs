#!/usr/bin/env node
// `npm start`: builds what is out of date, then opens AuthLab in Electron, or — where there is no
// Electron binary — in the browser through the loopback web host (same UI, same services).
// Options: --web (use the browser even if Electron exists); other options go to `authlab serve`
// in web mode (--port N, --no-open).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Newest mtime of the files under the given folders (ms). */
function newest(dirs) {
  let t = 0;
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else t = Math.max(t, statSync(p).mtimeMs);
    }
  };
  dirs.forEach((d) => walk(path.join(root, d)));
  return t;
}

function outOfDate(output, sources) {
  return !existsSync(output) || statSync(output).mtimeMs < newest(sources);
}

export function buildRendererIfNeeded() {
  if (!outOfDate(path.join(root, 'dist/renderer/index.html'), ['renderer', 'shared'])) return;
  console.log('building the renderer (vite build)…');
  const vite = path.join(root, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
}

export async function buildElectronIfNeeded() {
  if (!outOfDate(path.join(root, 'dist/electron/main.mjs'), ['electron', 'shared'])) return;
  const { buildElectron } = await import('./build-electron.mjs');
  await buildElectron();
}

async function main() {
  const args = process.argv.slice(2);
  const forceWeb = args.includes('--web');
  const rest = args.filter((a) => a !== '--web');
  buildRendererIfNeeded();

  const electron = forceWeb ? { ok: false, reason: '--web was given' } : findElectronBinary(root);
  if (electron.ok) {
    await buildElectronIfNeeded();
    const child = spawn(electron.path, [path.join(root, 'dist/electron/main.mjs'), ...rest], { stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  console.log(`Electron binary not available here (${electron.reason}); opening AuthLab in your browser instead`);
  const { runServe } = await import('../electron/web-host/serve.ts');
  process.exit(await runServe(rest));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`start: ${err.message}`);
    process.exit(1);
  });
}
