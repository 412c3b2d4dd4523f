// Where the app's files are: its own root (source tree or unpacked bundle) and the user's data folder.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the nearest package.json named authlab above `from`, or undefined. */
export function findAppRoot(from = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'authlab') return dir;
      } catch {
        /* keep walking */
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function packageVersion(root = findAppRoot()): string {
  if (!root) return '0.0.0';
  try {
    return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

// One data folder for every front end (see engine/keys/data-dir.ts).
export { defaultDataDir } from '../engine/keys/data-dir.ts';
