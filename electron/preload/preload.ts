// The sandboxed preload: builds window.authlabIpc from the contract's method list. Named functions
// only — ipcRenderer and the IPC event object never reach the page. Methods resolve with the
// envelope (contextBridge would drop an Error's `code`); the page unwraps it with bridgeFromIpc.
// Bundled to one CommonJS file (sandboxed preloads cannot require relative modules).

import { contextBridge, ipcRenderer } from 'electron';
import {
  API_METHODS,
  EVENT_NAMES,
  PRELOAD_GLOBAL,
  channelOf,
  eventChannelOf,
  type EventName,
} from '../../shared/ipc/contract.ts';

const api: Record<string, unknown> = {};
for (const method of API_METHODS) {
  const channel = channelOf(method);
  // At most one argument crosses, whatever the page passes.
  api[method] = (arg?: unknown) => (arg === undefined ? ipcRenderer.invoke(channel) : ipcRenderer.invoke(channel, arg));
}

api.on = (event: EventName, listener: (payload: unknown) => void): (() => void) => {
  if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new Error(`unknown event "${String(event)}"`);
  if (typeof listener !== 'function') throw new Error('listener must be a function');
  const channel = eventChannelOf(event);
  const wrapped = (_event: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
};

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, Object.freeze(api));
