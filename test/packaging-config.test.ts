// The electron-builder config (build/electron-builder.json) and the scripts around it.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { repoRoot } from './helpers/paths.ts';
// @ts-expect-error: a plain .mjs script without type declarations
import { findElectronBinary } from '../scripts/electron-binary.mjs';

const config = JSON.parse(readFileSync(path.join(repoRoot, 'build/electron-builder.json'), 'utf8'));

test('identity, asar and the entry point', () => {
  assert.equal(config.productName, 'AuthLab');
  assert.match(config.appId, /^[a-z]+(\.[a-z0-9-]+){2,}$/);
  assert.equal(config.asar, true);
  assert.equal(config.extraMetadata.main, 'dist/electron/main.mjs');
});

test('targets per OS', () => {
  assert.deepEqual([...config.linux.target].sort(), ['AppImage', 'deb']);
  assert.equal(config.linux.category, 'Network;Email');
  assert.match(config.linux.maintainer, /<[^@\s]+@[^>\s]+>/);
  assert.deepEqual(config.mac.target, ['dmg']);
  assert.deepEqual(config.win.target, ['nsis']);
});

test('.eml files open with AuthLab', () => {
  const eml = config.fileAssociations.find((a: { ext: string }) => a.ext === 'eml');
  assert.ok(eml);
  assert.equal(eml.mimeType, 'message/rfc822');
  assert.ok(config.linux.mimeTypes.includes('message/rfc822'));
});

test('fuses: no run-as-node, no NODE_OPTIONS, no inspector, asar only and integrity-checked', () => {
  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
  });
});

test('files: the built app only, never tests or sources', () => {
  const files: string[] = config.files;
  assert.ok(files.includes('dist/electron/**'));
  assert.ok(files.includes('dist/renderer/**'));
  for (const excluded of ['!test/**', '!**/*.test.*', '!**/*.map']) assert.ok(files.includes(excluded), excluded);
  assert.ok(!files.some((f) => /^(test|electron|shared|renderer)\b/.test(f)), 'no source folders included');
});

test('icon is a 512×512 RGBA PNG', () => {
  assert.equal(config.icon, 'build/icon.png');
  const png = readFileSync(path.join(repoRoot, config.icon));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), 512);
  assert.equal(png.readUInt32BE(20), 512);
  assert.equal(png[24], 8);
  assert.equal(png[25], 6, 'RGBA');
  // the image data decodes to the right size (the file is not truncated)
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    if (png.toString('ascii', off + 4, off + 8) === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  assert.equal(inflateSync(Buffer.concat(idat)).length, (512 * 4 + 1) * 512);
});

test('the Electron binary is found only where it exists', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-electron-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.match(findElectronBinary(dir, {}).reason, /not installed/);
  mkdirSync(path.join(dir, 'node_modules/electron/dist'), { recursive: true });
  assert.match(findElectronBinary(dir, {}).reason, /no downloaded binary/);
  writeFileSync(path.join(dir, 'node_modules/electron/path.txt'), 'electron');
  assert.match(findElectronBinary(dir, {}).reason, /missing/);
  writeFileSync(path.join(dir, 'node_modules/electron/dist/electron'), '');
  assert.deepEqual(findElectronBinary(dir, {}, 'linux'), { ok: true, path: path.join(dir, 'node_modules/electron/dist/electron') });
  assert.match(findElectronBinary(dir, { ELECTRON_OVERRIDE_DIST_PATH: '/nowhere' }, 'linux').reason, /ELECTRON_OVERRIDE_DIST_PATH/);
});

test('npm run dist explains in one line what is missing', () => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/dist.mjs')], { encoding: 'utf8', env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '' } });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^dist: (electron-builder is not installed; run "npm i -D electron-builder"|the Electron binary is not available)/);
});
