// The window's size, position and maximised state, remembered in dataDir/window-state.json.

import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../services/json-store.ts';

export interface WindowState {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized?: boolean;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const WINDOW_STATE_FILE = 'window-state.json';

/** A saved state, or undefined when missing, unreadable or implausible. */
export function parseWindowState(v: unknown): WindowState | undefined {
  const o = v as Record<string, unknown>;
  if (!o || typeof o !== 'object') return undefined;
  const n = (x: unknown, min: number, max: number) => typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
  if (!n(o.width, 200, 20_000) || !n(o.height, 150, 20_000)) return undefined;
  const out: WindowState = { width: o.width as number, height: o.height as number };
  if (n(o.x, -50_000, 50_000) && n(o.y, -50_000, 50_000)) {
    out.x = o.x as number;
    out.y = o.y as number;
  }
  if (o.maximized === true) out.maximized = true;
  return out;
}

/** Drops the position when the window would not be visible on any display (a monitor was unplugged). */
export function fitToDisplays(state: WindowState, workAreas: Rect[]): WindowState {
  if (state.x === undefined || state.y === undefined) return state;
  const { x, y } = state;
  const visible = workAreas.some((a) => x + 100 > a.x && y + 50 > a.y && x < a.x + a.width - 100 && y < a.y + a.height - 50);
  if (visible) return state;
  const { x: _x, y: _y, ...rest } = state;
  return rest;
}

export async function loadWindowState(dataDir: string): Promise<WindowState | undefined> {
  const r = await readJsonFile(path.join(dataDir, WINDOW_STATE_FILE)).catch(() => undefined);
  return r?.state === 'ok' ? parseWindowState(r.value) : undefined;
}

export async function saveWindowState(dataDir: string, state: WindowState): Promise<void> {
  await writeJsonAtomic(path.join(dataDir, WINDOW_STATE_FILE), state);
}
