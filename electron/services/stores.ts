// Settings and recent items, one JSON file each under dataDir.

import path from 'node:path';
import {
  ApiCallError,
  DEFAULT_SETTINGS,
  type AppSettings,
  type RecentEntry,
  type RecentItem,
} from '../../shared/ipc/contract.ts';
import { validateRequest } from '../../shared/ipc/validators.ts';
import { createLock, readJsonFile, writeJsonAtomic } from './json-store.ts';

export const SETTINGS_FILE = 'settings.json';
export const RECENT_FILE = 'recent.json';
export const RECENT_LIMIT = 20;

function corrupt(message: string): ApiCallError {
  return new ApiCallError('store-corrupt', `${message}; AuthLab will not overwrite it: fix or delete the file`);
}

export function createSettingsStore(dataDir: string) {
  const file = path.join(dataDir, SETTINGS_FILE);
  const lock = createLock();

  async function load(): Promise<AppSettings> {
    const read = await readJsonFile(file);
    if (read.state === 'missing') return { ...DEFAULT_SETTINGS };
    if (read.state === 'corrupt') throw corrupt(read.message);
    // Fields added in later versions take their defaults; stale or invalid fields are an error.
    const merged = read.value && typeof read.value === 'object' && !Array.isArray(read.value) ? { ...DEFAULT_SETTINGS, ...read.value } : read.value;
    const v = validateRequest('setSettings', merged);
    if (!v.ok) throw corrupt(`${file} has invalid settings (${v.message})`);
    return v.value;
  }

  return {
    file,
    get: () => lock(load),
    set: (s: AppSettings) =>
      lock(async () => {
        await load(); // refuses to replace a corrupt file
        await writeJsonAtomic(file, s);
        return s;
      }),
  };
}

export function createRecentStore(dataDir: string, now: () => Date = () => new Date()) {
  const file = path.join(dataDir, RECENT_FILE);
  const lock = createLock();

  async function load(): Promise<RecentItem[]> {
    const read = await readJsonFile(file);
    if (read.state === 'missing') return [];
    if (read.state === 'corrupt') throw corrupt(read.message);
    const items = (read.value as { items?: unknown })?.items;
    if (!Array.isArray(items)) throw corrupt(`${file} has no "items" list`);
    return items.filter(isRecentItem).slice(0, RECENT_LIMIT);
  }

  async function add(entry: RecentEntry, filePath?: string): Promise<RecentItem[]> {
    return lock(async () => {
      const items = await load();
      // The page reports a verdict for a file main just opened: fold it into that entry.
      const same = (i: RecentItem) =>
        filePath ? i.path === filePath : i.fileName === entry.fileName && (entry.size === undefined || i.size === entry.size);
      const previous = items.find(same);
      const item: RecentItem = { ...previous, ...entry, openedAt: now().toISOString() };
      if (filePath) item.path = filePath;
      const next = [item, ...items.filter((i) => !same(i))].slice(0, RECENT_LIMIT);
      await writeJsonAtomic(file, { version: 1, items: next });
      return next;
    });
  }

  return { file, list: () => lock(load), add };
}

function isRecentItem(v: unknown): v is RecentItem {
  const o = v as RecentItem;
  return !!o && typeof o === 'object' && typeof o.fileName === 'string' && typeof o.openedAt === 'string' && (o.path === undefined || typeof o.path === 'string');
}
