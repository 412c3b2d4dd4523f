// The application menu as a pure template (Menu.buildFromTemplate happens in main.ts).

import type { MenuItemConstructorOptions } from 'electron';
import type { ExportFormat, RecentItem } from '../../shared/ipc/contract.ts';

export interface MenuActions {
  open(): void;
  paste(): void;
  exportAs(format: ExportFormat): void;
  openRecent(item: RecentItem): void;
}

export function buildMenuTemplate(opts: { platform: NodeJS.Platform; recent: RecentItem[]; actions: MenuActions; isDev: boolean }): MenuItemConstructorOptions[] {
  const { actions } = opts;
  const mac = opts.platform === 'darwin';
  const reopenable = opts.recent.filter((r) => r.path);
  const recentItems: MenuItemConstructorOptions[] = reopenable.length
    ? reopenable.slice(0, 10).map((item) => ({ label: item.fileName, toolTip: item.path, click: () => actions.openRecent(item) }))
    : [{ label: 'No recent files', enabled: false }];

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
      { label: 'Open Recent', submenu: recentItems },
      { label: 'Paste Message', accelerator: 'CmdOrCtrl+Shift+V', click: () => actions.paste() },
      { type: 'separator' },
      {
        label: 'Export Report',
        submenu: [
          { label: 'JSON…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportAs('json') },
          { label: 'Markdown…', click: () => actions.exportAs('markdown') },
          { label: 'HTML…', click: () => actions.exportAs('html') },
        ],
      },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit', label: 'Quit', accelerator: 'Ctrl+Q' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(opts.isDev ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[]) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  return [...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []), file, { role: 'editMenu' }, view, { role: 'windowMenu' }];
}
