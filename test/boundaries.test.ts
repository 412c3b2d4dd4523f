// Layer boundaries (after VS Code's common/node/browser/electron-main split), enforced on every
// import in the tree. The per-layer tsconfig files (tsconfig.shared/renderer/node.json) are the
// second guard: there a DOM global in Node code, or `process` in the page, is a compile error.

import test from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './helpers/paths.ts';

export interface ImportRef {
  specifier: string;
  typeOnly: boolean;
  line: number;
}

export interface Violation {
  file: string;
  specifier: string;
  line: number;
  rule: string;
}

const BUILTINS = new Set(builtinModules.filter((b) => !b.startsWith('_')));

export function importsOf(source: string): ImportRef[] {
  const out: ImportRef[] = [];
  const lineAt = (i: number) => source.slice(0, i).split('\n').length;
  // static import/export … from '…' (statement start, possibly multi-line)
  for (const m of source.matchAll(/^[ \t]*(import|export)\s+(type\s+)?([^'";]*?)\bfrom\s*['"]([^'"]+)['"]/gm)) {
    const clause = m[3] ?? '';
    // `import { type A, type B }` is type-only too
    const inlineTypesOnly = /^\{[^}]*\}\s*$/.test(clause.trim()) && clause.replace(/[{}\s]/g, '').split(',').filter(Boolean).every((n) => n.startsWith('type'));
    out.push({ specifier: m[4]!, typeOnly: Boolean(m[2]) || inlineTypesOnly, line: lineAt(m.index!) });
  }
  for (const m of source.matchAll(/^[ \t]*import\s*['"]([^'"]+)['"]/gm)) out.push({ specifier: m[1]!, typeOnly: false, line: lineAt(m.index!) });
  for (const m of source.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ specifier: m[1]!, typeOnly: false, line: lineAt(m.index!) });
  return out;
}

function isNodeBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0]!);
}

function isElectronPackage(spec: string): boolean {
  return spec === 'electron' || spec.startsWith('electron/');
}

/** Repo-relative folder an import points into ('' for packages). */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return '';
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
}

const under = (p: string, dir: string) => p === dir || p.startsWith(dir + '/');

/** Files are repo-relative with forward slashes. */
export function checkBoundaries(files: { file: string; source: string }[]): Violation[] {
  const out: Violation[] = [];
  for (const { file, source } of files) {
    for (const imp of importsOf(source)) {
      const spec = imp.specifier;
      const to = target(file, spec);
      const bad = (rule: string) => out.push({ file, specifier: spec, line: imp.line, rule });
      if (under(file, 'shared')) {
        if (!spec.startsWith('.')) bad('shared/ imports nothing but shared/ (no Node built-ins, no packages)');
        else if (!under(to, 'shared')) bad('shared/ imports nothing but shared/');
      } else if (under(file, 'renderer')) {
        if (isNodeBuiltin(spec)) bad('renderer/ must not import Node built-ins');
        else if (isElectronPackage(spec)) bad('renderer/ must not import electron');
        else if (spec.startsWith('.') && !under(to, 'renderer') && !under(to, 'shared')) bad('renderer/ imports only renderer/ and shared/');
      } else if (['electron/engine', 'electron/services', 'electron/web-host', 'electron/cli'].some((d) => under(file, d))) {
        if (isElectronPackage(spec)) bad('plain-Node layers never import electron');
        else if (under(to, 'electron/main') || under(to, 'electron/preload') || under(to, 'renderer')) bad('plain-Node layers must not import Electron main, the preload or the renderer');
      } else if (under(file, 'electron/preload')) {
        if (spec !== 'electron' && !(spec.startsWith('.') && under(to, 'shared'))) bad('the preload imports only electron and shared/');
      } else if (under(file, 'electron/main')) {
        if (spec.startsWith('.') && (under(to, 'renderer') || under(to, 'electron/preload'))) bad('Electron main must not import the renderer or the preload');
      }
    }
  }
  return out;
}

function walk(dir: string, acc: string[] = []): string[] {
  if (!existsSync(dir)) return acc;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, acc);
    else if (/\.(ts|tsx|mts|js|mjs|jsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) acc.push(p);
  }
  return acc;
}

test('the checker catches each kind of violation (synthetic files)', () => {
  const v = checkBoundaries([
    { file: 'shared/a.ts', source: "import fs from 'node:fs';\nimport { x } from '../electron/engine/engine.ts';\nimport y from 'zod';\nimport { ok } from './b.ts';" },
    { file: 'renderer/src/app.tsx', source: "import path from 'path';\nimport { ipcRenderer } from 'electron';\nimport { createEngine } from '../../electron/engine/engine.ts';\nimport type { X } from '../../shared/report.ts';\nimport React from 'react';" },
    { file: 'renderer/src/lazy.ts', source: "const fs = await import('node:fs/promises');\nconst r = require('child_process');" },
    { file: 'electron/engine/x.ts', source: "import { app } from 'electron';\nimport type { BrowserWindow } from 'electron';" },
    { file: 'electron/services/y.ts', source: "import { buildMenuTemplate } from '../main/menu.ts';\nimport fs from 'node:fs';\nimport mailauth from 'mailauth';" },
    { file: 'electron/cli/z.ts', source: "export { app } from 'electron/main';" },
    { file: 'electron/preload/p.ts', source: "import { contextBridge } from 'electron';\nimport { API_METHODS } from '../../shared/ipc/contract.ts';\nimport os from 'node:os';\nimport { dispatch } from '../services/dispatch.ts';" },
    { file: 'electron/main/m.ts', source: "import { app } from 'electron';\nimport { bridge } from '../../renderer/src/bridge.ts';" },
  ]);
  assert.deepEqual(
    v.map((x) => `${x.file}:${x.line} ${x.specifier}`),
    [
      'shared/a.ts:1 node:fs',
      'shared/a.ts:2 ../electron/engine/engine.ts',
      'shared/a.ts:3 zod',
      'renderer/src/app.tsx:1 path',
      'renderer/src/app.tsx:2 electron',
      'renderer/src/app.tsx:3 ../../electron/engine/engine.ts',
      'renderer/src/lazy.ts:1 node:fs/promises',
      'renderer/src/lazy.ts:2 child_process',
      'electron/engine/x.ts:1 electron',
      'electron/engine/x.ts:2 electron',
      'electron/services/y.ts:1 ../main/menu.ts',
      'electron/cli/z.ts:1 electron/main',
      'electron/preload/p.ts:3 node:os',
      'electron/preload/p.ts:4 ../services/dispatch.ts',
      'electron/main/m.ts:2 ../../renderer/src/bridge.ts',
    ],
  );
});

test('importsOf sees static, re-export, side-effect, dynamic and type-only imports', () => {
  const refs = importsOf("import type { A } from './a.ts';\nimport {\n  type B,\n  type C,\n} from './b.ts';\nimport { d, type E } from './d.ts';\nexport * from './e.ts';\nimport './side.css';\nconst m = await import('./lazy.ts');");
  assert.deepEqual(
    refs.map((r) => [r.specifier, r.typeOnly]),
    [
      ['./a.ts', true],
      ['./b.ts', true],
      ['./d.ts', false],
      ['./e.ts', false],
      ['./side.css', false],
      ['./lazy.ts', false],
    ],
  );
});

test('the repository keeps its layer boundaries', () => {
  const files = ['shared', 'renderer', 'electron'].flatMap((d) => walk(path.join(repoRoot, d)));
  assert.ok(files.length > 10, 'found the source files');
  const violations = checkBoundaries(files.map((f) => ({ file: path.relative(repoRoot, f).split(path.sep).join('/'), source: readFileSync(f, 'utf8') })));
  assert.deepEqual(violations.map((v) => `${v.file}:${v.line} imports ${v.specifier}: ${v.rule}`), []);
});

test('each layer has its own tsconfig with only the lib/types it runs with', () => {
  const read = (f: string) => JSON.parse(readFileSync(path.join(repoRoot, f), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
  const renderer = read('renderer/tsconfig.json').compilerOptions;
  // the page gets Vite's client types (asset and ?worker imports) and nothing of Node
  assert.deepEqual(renderer.types, ['vite/client']);
  assert.ok(renderer.lib.map((l: string) => l.toLowerCase()).includes('dom'));
  const node = read('tsconfig.node.json').compilerOptions;
  assert.ok(!node.lib.some((l: string) => l.toLowerCase().startsWith('dom')));
  assert.deepEqual(node.types, ['node']);
  const shared = read('tsconfig.shared.json').compilerOptions;
  assert.deepEqual(shared.types, []);
  assert.ok(!shared.lib.some((l: string) => l.toLowerCase().startsWith('dom')));
});
