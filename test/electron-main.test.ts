// Electron main's pure parts, tested without Electron: window options, CSP, the app:// guard,
// the IPC sender check and loop, navigation/permission lockdown, the menu, argv and window state.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { API_METHODS, DEFAULT_SETTINGS, channelOf, type AuthlabApi, type Envelope } from '../shared/ipc/contract.ts';
import { buildWindowOptions, secureWebPreferences } from '../electron/main/window-options.ts';
import { CONTENT_SECURITY_POLICY } from '../electron/main/csp.ts';
import { APP_ORIGIN, APP_START_URL, isAppUrl, resolveAppUrl, serveAppRequest } from '../electron/main/app-protocol.ts';
import { isTrustedSender, registerApiHandlers, type FrameLike, type IpcEventLike } from '../electron/main/ipc-main.ts';
import { denyAllPermissions, hardenWebContents } from '../electron/main/navigation.ts';
import { buildMenuTemplate, type MenuActions } from '../electron/main/menu.ts';
import { filesFromArgv, readOpenedFile } from '../electron/main/open-files.ts';
import { fitToDisplays, parseWindowState } from '../electron/main/window-state.ts';
import { createServices } from '../electron/services/services.ts';
import { fixtureReport } from './ipc-report-fixture.ts';

test('webPreferences state every security setting explicitly', () => {
  const p = secureWebPreferences('/app/preload.cjs');
  assert.equal(p.contextIsolation, true);
  assert.equal(p.sandbox, true);
  assert.equal(p.nodeIntegration, false);
  assert.equal(p.nodeIntegrationInWorker, false);
  assert.equal(p.nodeIntegrationInSubFrames, false);
  assert.equal(p.webviewTag, false);
  assert.equal(p.webSecurity, true);
  assert.equal(p.allowRunningInsecureContent, false);
  assert.equal(p.experimentalFeatures, false);
  assert.equal(p.spellcheck, false);
  assert.equal(p.preload, '/app/preload.cjs');
  const w = buildWindowOptions({ preloadPath: '/p.cjs', state: { width: 900, height: 700, x: 10, y: 20 } });
  assert.deepEqual([w.width, w.height, w.x, w.y, w.show], [900, 700, 10, 20, false]);
  assert.deepEqual(w.webPreferences, secureWebPreferences('/p.cjs'));
});

test('CSP: self only, no eval, no inline script, no framing', () => {
  const d = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1).join(' ')]));
  assert.equal(d['default-src'], "'self'");
  assert.equal(d['script-src'], "'self'");
  assert.equal(d['style-src'], "'self' 'unsafe-inline'");
  assert.equal(d['worker-src'], "'self' blob:");
  assert.equal(d['object-src'], "'none'");
  assert.equal(d['base-uri'], "'none'");
  assert.equal(d['frame-ancestors'], "'none'");
  assert.equal(d['form-action'], "'none'");
  assert.equal(d['connect-src'], "'self'");
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval|\*/);
});

test('app:// resolves inside the renderer folder only', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-app-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
  writeFileSync(path.join(root, 'assets', 'a.css'), 'body{}');
  writeFileSync(path.join(dir, 'secret.txt'), 'secret');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'leak.txt'));

  assert.equal(APP_START_URL, `${APP_ORIGIN}/index.html`);
  assert.deepEqual(resolveAppUrl(root, 'app://authlab/assets/a.css'), { ok: true, file: path.join(root, 'assets', 'a.css') });
  for (const url of ['app://authlab/%2e%2e/secret.txt', 'app://authlab/assets/%2E%2E%2F..%2Fsecret.txt', 'app://authlab/..%5csecret.txt', 'app://other/index.html', 'file:///etc/passwd', 'nonsense']) {
    assert.equal(resolveAppUrl(root, url).ok, false, url);
  }
  // WHATWG URL parsing removes plain dot segments; what is left must still be inside root.
  const plain = resolveAppUrl(root, 'app://authlab/../../secret.txt');
  assert.ok(!plain.ok || plain.file.startsWith(root + path.sep));

  const page = await serveAppRequest(root, 'app://authlab/index.html');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal((await serveAppRequest(root, 'app://authlab/assets/a.css')).headers.get('content-type'), 'text/css; charset=utf-8');
  assert.equal((await serveAppRequest(root, 'app://authlab/leak.txt')).status, 404);
  assert.equal((await serveAppRequest(root, 'app://authlab/%2e%2e/secret.txt')).status, 400);
  assert.equal((await serveAppRequest(root, 'app://authlab/index.html', 'POST')).status, 405);
});

function frame(url: string, parent: FrameLike | null = null): FrameLike {
  return { url, parent };
}

test('IPC sender check: only the top frame of app://authlab', () => {
  const top = frame(`${APP_ORIGIN}/index.html`);
  const ev = (senderFrame: FrameLike | null, mainFrame: FrameLike = top): IpcEventLike => ({ senderFrame, sender: { mainFrame } });
  assert.equal(isTrustedSender(ev(top)), true);
  assert.equal(isTrustedSender(ev(frame(`${APP_ORIGIN}/x.html`, top), top)), false, 'an iframe');
  const evil = frame('https://evil.example/');
  assert.equal(isTrustedSender(ev(evil, evil)), false, 'another origin in the top frame');
  const file = frame('file:///home/u/index.html');
  assert.equal(isTrustedSender(ev(file, file)), false);
  const lookalike = frame('app://authlab.evil/index.html');
  assert.equal(isTrustedSender(ev(lookalike, lookalike)), false);
  assert.equal(isTrustedSender(ev(null)), false, 'a destroyed frame');
  assert.equal(isTrustedSender(ev(frame(top.url), top)), false, 'not the main frame object');
  assert.equal(isAppUrl('app://authlab'), true);
});

function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>>();
  return {
    handlers,
    handle(channel: string, fn: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>) {
      assert.ok(!handlers.has(channel), `${channel} registered twice`);
      handlers.set(channel, fn);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  };
}

test('IPC loop: every method registered; sender checked, request validated, envelope returned', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-ipc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let evaluated = 0;
  const services = createServices({
    engine: {
      async evaluate(bytes) {
        evaluated++;
        if (!bytes.length) throw Object.assign(new Error('the input is empty'), { code: 'empty' });
        return { container: 'message', messages: [{ ok: true, ...fixtureReport() }] };
      },
    },
    dataDir: dir,
  });
  const ipc = fakeIpcMain();
  const rejected: string[] = [];
  const unregister = registerApiHandlers(ipc, services as AuthlabApi, { onRejected: (c) => rejected.push(c) });
  assert.deepEqual([...ipc.handlers.keys()].sort(), API_METHODS.map(channelOf).sort());

  const top = frame(`${APP_ORIGIN}/index.html`);
  const good: IpcEventLike = { senderFrame: top, sender: { mainFrame: top } };
  const evil = frame('https://evil.example/');
  const bad: IpcEventLike = { senderFrame: evil, sender: { mainFrame: evil } };
  const invoke = (event: IpcEventLike, method: string, ...args: unknown[]) => ipc.handlers.get(`authlab:${method}`)!(event, ...args) as Promise<Envelope<unknown>>;

  const msg = { messageBase64: Buffer.from('From: a@b\r\n\r\nx').toString('base64'), options: {}, dns: { offline: true } };
  assert.deepEqual(await invoke(bad, 'evaluate', msg), { ok: false, error: { code: 'forbidden', message: 'evaluate: calls are accepted only from the AuthLab page' } });
  assert.equal(evaluated, 0, 'the service was not reached');
  assert.deepEqual(rejected, ['authlab:evaluate']);

  const ok = await invoke(good, 'evaluate', msg);
  assert.equal(ok.ok, true);
  assert.equal(evaluated, 1);

  const invalid = await invoke(good, 'evaluate', { ...msg, options: { mode: 'yolo' } });
  assert.ok(!invalid.ok && invalid.error.code === 'invalid-request' && /options\.mode/.test(invalid.error.message));
  const extra = await invoke(good, 'getSettings', undefined, 'x');
  assert.ok(!extra.ok && extra.error.code === 'invalid-request');
  const empty = await invoke(good, 'evaluate', { ...msg, messageBase64: '' });
  assert.deepEqual(empty, { ok: false, error: { code: 'empty', message: 'the input is empty' } });
  assert.deepEqual(await invoke(good, 'getSettings'), { ok: true, value: DEFAULT_SETTINGS });

  unregister();
  assert.equal(ipc.handlers.size, 0);
});

function fakeContents() {
  const listeners = new Map<string, ((...a: unknown[]) => void)[]>();
  let openHandler: ((d: { url: string }) => { action: string }) | undefined;
  return {
    on(name: string, fn: (...a: unknown[]) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), fn]);
      return this;
    },
    setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
      openHandler = fn;
    },
    emit(name: string, ...args: unknown[]) {
      for (const fn of listeners.get(name) ?? []) fn(...args);
    },
    open: (url: string) => openHandler!({ url }),
    listeners,
  };
}

function navEvent(url?: string) {
  return { url, prevented: false, preventDefault() { this.prevented = true; } };
}

test('navigation, new windows and webviews are denied; links go to the browser', () => {
  const c = fakeContents();
  const external: string[] = [];
  hardenWebContents(c as never, { openExternal: (u) => external.push(u) });
  for (const name of ['will-navigate', 'will-redirect']) {
    const away = navEvent();
    c.emit(name, away, 'https://evil.example/');
    assert.equal(away.prevented, true, name);
    const home = navEvent();
    c.emit(name, home, `${APP_ORIGIN}/index.html`);
    assert.equal(home.prevented, false, name);
  }
  const frameNav = navEvent('file:///etc/passwd');
  c.emit('will-frame-navigate', frameNav);
  assert.equal(frameNav.prevented, true);
  const wv = navEvent();
  c.emit('will-attach-webview', wv);
  assert.equal(wv.prevented, true);

  assert.deepEqual(c.open('https://www.rfc-editor.org/rfc/rfc7208'), { action: 'deny' });
  assert.deepEqual(c.open('file:///etc/passwd'), { action: 'deny' });
  assert.deepEqual(c.open('javascript:alert(1)'), { action: 'deny' });
  assert.deepEqual(external, ['https://www.rfc-editor.org/rfc/rfc7208']);
});

test('every permission request and check is denied', () => {
  const calls: Record<string, (...a: never[]) => unknown> = {};
  denyAllPermissions({
    setPermissionRequestHandler: (fn: never) => void (calls.request = fn),
    setPermissionCheckHandler: (fn: never) => void (calls.check = fn),
    setDevicePermissionHandler: (fn: never) => void (calls.device = fn),
  } as never);
  const answers: boolean[] = [];
  for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
    (calls.request as unknown as (w: unknown, p: string, cb: (ok: boolean) => void) => void)({}, perm, (ok) => answers.push(ok));
  }
  assert.deepEqual(answers, [false, false, false, false, false]);
  assert.equal((calls.check as unknown as () => boolean)(), false);
  assert.equal((calls.device as unknown as () => boolean)(), false);
});

test('menu: Open, Open Recent, Paste, Export, Quit with standard accelerators', () => {
  const done: string[] = [];
  const actions: MenuActions = {
    open: () => done.push('open'),
    paste: () => done.push('paste'),
    exportAs: (f) => done.push(`export-${f}`),
    openRecent: (i) => done.push(`recent:${i.path}`),
  };
  const recent = [
    { fileName: 'a.eml', openedAt: '2026-01-01T00:00:00Z', path: '/m/a.eml' },
    { fileName: 'pasted.eml', openedAt: '2026-01-01T00:00:00Z' },
  ];
  type Item = { label?: string; role?: string; accelerator?: string; enabled?: boolean; submenu?: Item[]; click?: () => void };
  const linux = buildMenuTemplate({ platform: 'linux', recent, actions, isDev: false }) as Item[];
  const file = linux[0]!.submenu!;
  const byLabel = (items: Item[], label: string) => items.find((i) => i.label === label)!;
  assert.equal(byLabel(file, 'Open…').accelerator, 'CmdOrCtrl+O');
  assert.equal(byLabel(file, 'Paste Message').accelerator, 'CmdOrCtrl+Shift+V');
  const recentMenu = byLabel(file, 'Open Recent').submenu!;
  assert.deepEqual(recentMenu.map((i) => i.label), ['a.eml'], 'only entries main can re-read');
  const quit = file.find((i) => i.role === 'quit')!;
  assert.equal(quit.accelerator, 'Ctrl+Q');
  byLabel(file, 'Open…').click!();
  byLabel(file, 'Paste Message').click!();
  recentMenu[0]!.click!();
  for (const i of byLabel(file, 'Export Report').submenu!) i.click!();
  assert.deepEqual(done, ['open', 'paste', 'recent:/m/a.eml', 'export-json', 'export-markdown', 'export-html']);
  assert.ok(!JSON.stringify(linux).includes('toggleDevTools'), 'no devtools item in a packaged build');
  assert.ok(linux.some((i) => i.role === 'editMenu'), 'Edit menu: copy/paste work in text fields');

  const mac = buildMenuTemplate({ platform: 'darwin', recent: [], actions, isDev: true }) as Item[];
  assert.equal(mac[0]!.role, 'appMenu');
  assert.deepEqual(byLabel(mac[1]!.submenu!, 'Open Recent').submenu!.map((i) => [i.label, i.enabled]), [['No recent files', false]]);
  assert.ok(JSON.stringify(mac).includes('toggleDevTools'));
});

test('argv files and opened files', async (t) => {
  assert.deepEqual(filesFromArgv(['/opt/AuthLab/authlab', 'msg.eml', '--no-sandbox'], { isPackaged: true, cwd: '/home/u' }), ['/home/u/msg.eml']);
  assert.deepEqual(filesFromArgv(['/x/electron', '.', '/tmp/a.eml'], { isPackaged: false, cwd: '/w' }), ['/tmp/a.eml']);
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-open-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = Buffer.from([0x46, 0x3a, 0xff, 0x0d, 0x0a]);
  writeFileSync(path.join(dir, 'm.eml'), bytes);
  const f = await readOpenedFile(path.join(dir, 'm.eml'));
  assert.deepEqual([f.fileName, f.size, Buffer.from(f.messageBase64, 'base64')], ['m.eml', 5, bytes]);
  await assert.rejects(readOpenedFile(path.join(dir, 'm.eml'), 4), { code: 'too-large' });
  await assert.rejects(readOpenedFile(dir), { code: 'io' });
});

test('window state: implausible values dropped, off-screen positions forgotten', () => {
  assert.equal(parseWindowState({ width: 50, height: 50 }), undefined);
  assert.equal(parseWindowState('x'), undefined);
  assert.deepEqual(parseWindowState({ width: 1000, height: 800, x: 5, y: 6, maximized: true }), { width: 1000, height: 800, x: 5, y: 6, maximized: true });
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  assert.deepEqual(fitToDisplays({ width: 1000, height: 800, x: 3000, y: 10 }, screen), { width: 1000, height: 800 });
  assert.deepEqual(fitToDisplays({ width: 1000, height: 800, x: 100, y: 10 }, screen), { width: 1000, height: 800, x: 100, y: 10 });
});
