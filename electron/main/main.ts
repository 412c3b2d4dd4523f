// Electron main: thin wiring of the tested pieces (window options, app:// scheme, navigation and
// permission lockdown, IPC loop, menu). Bundled by scripts/build-electron.mjs to dist/electron/main.mjs.

import { app, BrowserWindow, Menu, dialog, ipcMain, protocol, screen, session, shell } from 'electron';
// safeStorage is read through the namespace at first use (after `ready`), so a stand-in electron
// without it (test/electron-bundle.test.ts) still links.
import * as electron from 'electron';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventChannelOf, type AuthlabEvents, type EventName, type OpenedFile } from '../../shared/ipc/contract.ts';
import { createEngine } from '../engine/engine.ts';
import { defaultDataDir } from '../services/app-paths.ts';
import { createServices } from '../services/services.ts';
import { APP_SCHEME_PRIVILEGES, APP_START_URL, handleAppProtocol } from './app-protocol.ts';
import { registerApiHandlers, type IpcMainLike } from './ipc-main.ts';
import { safeStorageProtection } from './key-protection.ts';
import { buildMenuTemplate } from './menu.ts';
import { denyAllPermissions, guardAllWebContents } from './navigation.ts';
import { filesFromArgv, readOpenedFile } from './open-files.ts';
import { buildWindowOptions } from './window-options.ts';
import { fitToDisplays, loadWindowState, saveWindowState } from './window-state.ts';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/electron
const rendererDir = path.join(here, '..', 'renderer');
const preloadPath = path.join(here, 'preload.cjs');

app.setName('AuthLab');
const dataDir = defaultDataDir();
app.setPath('userData', dataDir);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function start(): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  guardAllWebContents(app, { openExternal: (url) => void shell.openExternal(url) });

  const services = createServices({
    engine: createEngine(),
    dataDir,
    shell: 'electron',
    version: app.getVersion(),
    // resolved at the first key store call, which comes from the page (after `ready`)
    keys: { protection: () => safeStorageProtection(electron.safeStorage) },
  });
  let win: BrowserWindow | undefined;
  let pageReady = false;
  const pending: OpenedFile[] = [];

  const send = <E extends EventName>(event: E, payload: AuthlabEvents[E]) => win?.webContents.send(eventChannelOf(event), payload);

  async function openPaths(paths: string[]): Promise<void> {
    const files: OpenedFile[] = [];
    for (const p of paths) {
      try {
        const f = await readOpenedFile(p);
        files.push(f);
        await services.addRecentFile(p, { fileName: f.fileName, size: f.size }).catch(() => undefined);
      } catch (err) {
        dialog.showErrorBox('AuthLab', `Cannot open ${p}: ${(err as Error).message}`);
      }
    }
    if (!files.length) return;
    if (pageReady) send('files-opened', files);
    else pending.push(...files);
    void refreshMenu();
  }

  async function showOpenDialog(): Promise<string[]> {
    const opts: Electron.OpenDialogOptions = {
      properties: ['openFile', 'multiSelections'],
      filters: [
        { name: 'Email messages', extensions: ['eml', 'mbox', 'msg', 'txt'] },
        { name: 'All files', extensions: ['*'] },
      ],
    };
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    return r.canceled ? [] : r.filePaths;
  }

  // The two dialog methods are Electron's; everything else is the plain services.
  const api = {
    ...services,
    async openFileDialog() {
      const paths = await showOpenDialog();
      if (!paths.length) return { supported: true as const, canceled: true as const };
      const files: OpenedFile[] = [];
      for (const p of paths) {
        files.push(await readOpenedFile(p));
        await services.addRecentFile(p, { fileName: path.basename(p) }).catch(() => undefined);
      }
      void refreshMenu();
      return { supported: true as const, canceled: false as const, files };
    },
    async saveFile(req: { fileName: string; content: string }) {
      const opts: Electron.SaveDialogOptions = { defaultPath: req.fileName };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      if (r.canceled || !r.filePath) return { supported: true as const, saved: false as const };
      await fs.writeFile(r.filePath, req.content, 'utf8');
      return { supported: true as const, saved: true as const, path: r.filePath };
    },
  };

  async function refreshMenu(): Promise<void> {
    const recent = await services.listRecent().catch(() => []);
    const template = buildMenuTemplate({
      platform: process.platform,
      recent,
      isDev: !app.isPackaged,
      actions: {
        open: () => void showOpenDialog().then(openPaths),
        paste: () => send('menu-command', 'paste'),
        exportAs: (format) => send('menu-command', `export-${format}`),
        openRecent: (item) => item.path && void openPaths([item.path]),
      },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  // macOS "Open With" / drag on the Dock icon; may arrive before `ready`.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    void openPaths([file]);
  });
  app.on('second-instance', (_event, argv, cwd) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    void openPaths(filesFromArgv(argv, { isPackaged: app.isPackaged, cwd }));
  });

  async function createWindow(): Promise<void> {
    const saved = await loadWindowState(dataDir);
    const state = saved && fitToDisplays(saved, screen.getAllDisplays().map((d) => d.workArea));
    win = new BrowserWindow(buildWindowOptions({ preloadPath, state }));
    if (state?.maximized) win.maximize();
    win.once('ready-to-show', () => win?.show());
    win.webContents.on('did-finish-load', () => {
      pageReady = true;
      if (pending.length) send('files-opened', pending.splice(0));
    });
    win.on('close', () => {
      if (!win) return;
      const b = win.getNormalBounds();
      void saveWindowState(dataDir, { ...b, maximized: win.isMaximized() }).catch(() => undefined);
    });
    win.on('closed', () => {
      win = undefined;
      pageReady = false;
    });
    await win.loadURL(APP_START_URL);
  }

  void app.whenReady().then(async () => {
    handleAppProtocol(protocol, rendererDir);
    denyAllPermissions(session.defaultSession);
    registerApiHandlers(ipcMain as unknown as IpcMainLike, api, {
      onRejected: (channel, url) => console.warn(`refused IPC ${channel} from ${url ?? 'a destroyed frame'}`),
    });
    await refreshMenu();
    void openPaths(filesFromArgv(process.argv, { isPackaged: app.isPackaged, cwd: process.cwd() }));
    await createWindow();
    app.on('activate', () => {
      if (!win) void createWindow();
    });
  });

  app.on('will-quit', () => services.close());

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
