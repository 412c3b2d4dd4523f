// BrowserWindow options, as a pure function so the security settings are unit-tested.
// Every security-relevant webPreference is stated explicitly, not left to Electron's defaults.

import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import type { WindowState } from './window-state.ts';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: true,
  };
}

export function buildWindowOptions(opts: { preloadPath: string; state?: WindowState; iconPath?: string }): BrowserWindowConstructorOptions {
  const s = opts.state;
  return {
    title: 'AuthLab',
    width: s?.width ?? 1280,
    height: s?.height ?? 860,
    ...(s?.x !== undefined && s?.y !== undefined ? { x: s.x, y: s.y } : {}),
    minWidth: 720,
    minHeight: 480,
    show: false, // shown on ready-to-show: no white flash
    backgroundColor: '#1e1e1e',
    ...(opts.iconPath ? { icon: opts.iconPath } : {}),
    webPreferences: secureWebPreferences(opts.preloadPath),
  };
}
