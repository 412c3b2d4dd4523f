// Where the tests find the repo and the third-party data that lives beside it (never copied in).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedRoot = path.resolve(repoRoot, '../shared');
export const conformanceDir = path.join(sharedRoot, 'conformance');
export const samplesDir = path.join(sharedRoot, 'samples');

/** Returns the folder, or a skip message for node:test when it is absent (a user's clone). */
export function sharedData(sub: string): { dir: string; skip: false } | { dir: string; skip: string } {
  const dir = path.join(sharedRoot, sub);
  return existsSync(dir)
    ? { dir, skip: false }
    : { dir, skip: `../shared/${sub} is not beside this checkout (it is on the AuthLab build machines only)` };
}
