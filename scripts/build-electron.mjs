#!/usr/bin/env node
// Bundles Electron main (ESM, dist/electron/main.mjs) and the preload (one CommonJS file,
// dist/electron/preload.cjs: sandboxed preloads cannot require relative modules).
// Usage: node scripts/build-electron.mjs [--out DIR]

import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds both bundles into outDir (default dist/electron) and returns their paths. */
export async function buildElectron({ outDir = path.join(root, 'dist', 'electron'), logLevel = 'warning' } = {}) {
  const main = path.join(outDir, 'main.mjs');
  const preload = path.join(outDir, 'preload.cjs');
  const [mainResult, preloadResult] = await Promise.all([
    build({
      entryPoints: [path.join(root, 'electron/main/main.ts')],
      outfile: main,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      external: ['electron'],
      // mailauth and its dependencies are CommonJS: give the ESM bundle a real require.
      banner: { js: "import { createRequire as __authlabCreateRequire } from 'node:module'; const require = __authlabCreateRequire(import.meta.url);" },
      sourcemap: 'linked',
      metafile: true,
      logLevel,
    }),
    build({
      entryPoints: [path.join(root, 'electron/preload/preload.ts')],
      outfile: preload,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'chrome140',
      external: ['electron'],
      sourcemap: 'inline',
      metafile: true,
      logLevel,
    }),
  ]);
  // What each bundle still imports at run time (everything else is inside it).
  const externals = (result) =>
    [...new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)))].sort();
  // What went into the main bundle (mailauth must not: the engine requires it from node_modules,
  // and a second, bundled copy would not share the engine's changes to it)
  const bundled = Object.keys(mainResult.metafile.inputs);
  return { main, preload, externals: { main: externals(mainResult), preload: externals(preloadResult) }, bundled };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const outDir = i > 0 ? path.resolve(process.argv[i + 1]) : undefined;
  const out = await buildElectron({ outDir });
  console.log(`built ${path.relative(process.cwd(), out.main)} and ${path.relative(process.cwd(), out.preload)}`);
}
