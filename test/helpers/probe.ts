// Probe scripts: lines run by a fresh Node (module loading starts from nothing) from the repo root,
// so packages resolve as in the repo, each printing one JSON value for the test to compare.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoRoot } from './paths.ts';

/** Runs the lines with `node -e` and returns what they printed, parsed as JSON. */
export function runProbe(lines: string[]): unknown {
  const r = spawnSync(process.execPath, ['-e', lines.join('\n')], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}
