// Navigation and permission lockdown (Electron security checklist items 12-14 and 5):
// the page never navigates away, never opens windows, never gets a permission, never embeds a
// webview. Attached to every WebContents ever created, not just the main window's.

import type { App, Session, WebContents } from 'electron';
import { isAppUrl } from './app-protocol.ts';

type ContentsLike = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** http(s) links the user clicked go to the real browser; anything else is dropped. */
export function isExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export function hardenWebContents(contents: ContentsLike, opts: { openExternal?: (url: string) => void } = {}): void {
  const deny = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', deny);
  contents.on('will-redirect', deny);
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (opts.openExternal && isExternalLink(url)) opts.openExternal(url);
    return { action: 'deny' };
  });
}

export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** Hardens every WebContents as it is created (windows, devtools, anything a bug might open). */
export function guardAllWebContents(app: Pick<App, 'on'>, opts: { openExternal?: (url: string) => void } = {}): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, opts));
}
