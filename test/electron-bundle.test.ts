// The bundles Electron loads: the preload is one self-contained CommonJS file that exposes only
// named functions, and main requires nothing but `electron` and Node built-ins.

import test from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { API_METHODS, ApiCallError, PRELOAD_GLOBAL, bridgeFromIpc, type AuthlabIpc } from '../shared/ipc/contract.ts';
import { repoRoot } from './helpers/paths.ts';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildElectron } from '../scripts/build-electron.mjs';

type Built = { main: string; preload: string; externals: { main: string[]; preload: string[] }; bundled: string[] };
const built: Promise<Built & { dir: string }> = (async () => {
  // Inside the checkout (test-output/ is ignored): the engine's createRequire calls resolve
  // mailauth & co. from node_modules at run time, as they do from app.asar/node_modules.
  mkdirSync(path.join(repoRoot, 'test-output'), { recursive: true });
  const dir = mkdtempSync(path.join(repoRoot, 'test-output', 'bundle-'));
  const out = (await buildElectron({ outDir: dir, logLevel: 'error' })) as Built;
  return { ...out, dir };
})();
test.after(async () => rmSync((await built).dir, { recursive: true, force: true }));

function loadPreload(code: string) {
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const listeners = new Map<string, (...a: unknown[]) => void>();
  const ipcRenderer = {
    invoke: async (...args: unknown[]) => {
      invoked.push(args);
      return args[0] === 'authlab:getSettings' ? { ok: false, error: { code: 'store-corrupt', message: 'bad file' } } : { ok: true, value: args[1] ?? null };
    },
    on: (channel: string, fn: (...a: unknown[]) => void) => listeners.set(channel, fn),
    removeListener: (channel: string) => listeners.delete(channel),
  };
  const required: string[] = [];
  const fakeRequire = (name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require "${name}"`);
    return { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) }, ipcRenderer };
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', code)(fakeRequire, module, module.exports);
  return { exposed, invoked, listeners, required, ipcRenderer };
}

test('preload: one file, requires only electron, exposes named functions', async () => {
  const { preload } = await built;
  const p = loadPreload(readFileSync(preload, 'utf8'));
  assert.deepEqual(p.required, ['electron']);
  assert.deepEqual(Object.keys(p.exposed), [PRELOAD_GLOBAL]);
  const api = p.exposed[PRELOAD_GLOBAL] as Record<string, unknown>;
  assert.deepEqual(Object.keys(api).sort(), [...API_METHODS, 'on'].sort());
  for (const [k, v] of Object.entries(api)) {
    assert.equal(typeof v, 'function', k);
    assert.notEqual(v, p.ipcRenderer.invoke);
  }
  assert.ok(Object.isFrozen(api));
});

test('preload: calls reach the method channel with one argument; events carry only the payload', async () => {
  const { preload } = await built;
  const p = loadPreload(readFileSync(preload, 'utf8'));
  const ipc = p.exposed[PRELOAD_GLOBAL] as AuthlabIpc;
  await ipc.addRecent({ fileName: 'a.eml' });
  await ipc.appInfo();
  assert.deepEqual(p.invoked, [['authlab:addRecent', { fileName: 'a.eml' }], ['authlab:appInfo']]);

  const got: unknown[][] = [];
  const off = ipc.on('files-opened', (...args: unknown[]) => got.push(args));
  p.listeners.get('authlab-event:files-opened')!({ sender: 'the IPC event' }, [{ fileName: 'x.eml' }]);
  assert.deepEqual(got, [[[{ fileName: 'x.eml' }]]], 'the event object is not passed on');
  off();
  assert.equal(p.listeners.size, 0);
  assert.throws(() => ipc.on('anything' as never, () => {}), /unknown event/);

  // The page side keeps the error code that contextBridge would drop from an Error.
  const bridge = bridgeFromIpc(ipc);
  await assert.rejects(bridge.getSettings(), (e: unknown) => e instanceof ApiCallError && e.code === 'store-corrupt');
  assert.deepEqual(await bridge.addRecent({ fileName: 'b.eml' }), { fileName: 'b.eml' });
});

test('main bundle imports only electron and Node built-ins (the engine\'s createRequire calls load mailauth & co. from node_modules, packed by electron-builder)', async () => {
  const { externals } = await built;
  const builtins = new Set(builtinModules.flatMap((b) => [b, `node:${b}`]));
  assert.deepEqual(externals.main.filter((s) => s !== 'electron' && !builtins.has(s)), []);
  assert.ok(externals.main.includes('electron'));
  assert.deepEqual(externals.preload, ['electron']);
});

test('mailauth is not in the main bundle: one copy, from node_modules, the one the engine changes (linear-headers.ts)', async () => {
  const { bundled } = await built;
  assert.ok(bundled.some((f) => f.startsWith('electron/engine/')), 'the engine is bundled');
  assert.deepEqual(bundled.filter((f) => /node_modules\/mailauth\//.test(f)), []);
});

// A stand-in for the electron module: records what main does with it, as JSON lines.
const FAKE_ELECTRON = `
const log = (...a) => console.log(JSON.stringify(a));
let ready = false;
export const app = {
  setName: (n) => log('setName', n), setPath: (k, v) => log('setPath', k, v),
  requestSingleInstanceLock: () => true, quit: () => log('quit'),
  on: (e) => log('app.on', e), getVersion: () => '0.0.0-test', isPackaged: false,
  whenReady: () => new Promise((r) => setTimeout(() => { ready = true; log('ready'); r(); }, 10)),
};
export const protocol = {
  registerSchemesAsPrivileged: (s) => log('registerSchemesAsPrivileged', ready, s),
  handle: (s) => log('protocol.handle', ready, s),
};
export const session = { defaultSession: {
  setPermissionRequestHandler: (fn) => fn({}, 'media', (ok) => log('permission', ok)),
  setPermissionCheckHandler: (fn) => log('permissionCheck', fn()),
  setDevicePermissionHandler: (fn) => log('devicePermission', fn()),
} };
const channels = [];
export const ipcMain = { handle: (c) => channels.push(c), removeHandler: () => {} };
export const Menu = { buildFromTemplate: (t) => t, setApplicationMenu: () => log('menu') };
export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
export class BrowserWindow {
  constructor(o) { log('BrowserWindow', o.webPreferences); this.webContents = { on() {}, send() {} }; }
  maximize() {} once() {} on() {}
  loadURL(u) { log('loadURL', u, channels); return Promise.resolve(); }
}
export const dialog = { showErrorBox: (t, m) => log('error', m) };
export const shell = {};
`;

test('main boots against a stand-in electron: scheme, lockdown, IPC, secure window, app:// URL', async () => {
  const { main, dir } = await built;
  writeFileSync(path.join(dir, 'electron-stub.mjs'), FAKE_ELECTRON);
  const stubUrl = pathToFileURL(path.join(dir, 'electron-stub.mjs')).href;
  writeFileSync(
    path.join(dir, 'hooks.mjs'),
    `export async function resolve(s, c, next) { return s === 'electron' ? { url: ${JSON.stringify(stubUrl)}, shortCircuit: true } : next(s, c); }`,
  );
  writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, main], {
    encoding: 'utf8',
    env: { ...process.env, AUTHLAB_DATA_DIR: path.join(dir, 'data') },
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown[]);
  const find = (name: string) => events.find((e) => e[0] === name);
  assert.deepEqual(find('setPath'), ['setPath', 'userData', path.join(dir, 'data')]);
  const privileged = find('registerSchemesAsPrivileged')!;
  assert.equal(privileged[1], false, 'the scheme is registered before ready');
  assert.deepEqual(privileged[2], [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
  assert.deepEqual(find('protocol.handle'), ['protocol.handle', true, 'app']);
  assert.deepEqual(find('permission'), ['permission', false]);
  assert.deepEqual(find('permissionCheck'), ['permissionCheck', false]);
  const appEvents = events.filter((e) => e[0] === 'app.on').map((e) => e[1]);
  for (const e of ['web-contents-created', 'open-file', 'second-instance']) assert.ok(appEvents.includes(e), e);
  const prefs = find('BrowserWindow')![1] as Record<string, unknown>;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.preload, path.join(path.dirname(main), 'preload.cjs'));
  const load = find('loadURL')!;
  assert.equal(load[1], 'app://authlab/index.html');
  assert.deepEqual((load[2] as string[]).sort(), API_METHODS.map((m) => `authlab:${m}`).sort(), 'every method handled before the page loads');
});
