// The wait between Received hops, as the CLI and the inspector print it: sized for people, and a
// hop stamped before the one below it said to be clock skew (it printed "+-62198484s").

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatHopDelay } from '../shared/hop-delay.ts';
import { repoRoot } from './helpers/paths.ts';
import { plainMessage } from './helpers/signed-message.ts';

test('formatHopDelay: seconds, minutes, hours, days; negative delays named as clock skew', () => {
  const cases: [number, string][] = [
    [0, '+0 s'],
    [2, '+2 s'],
    [119, '+119 s'],
    [120, '+2 min'],
    [7199, '+120 min'],
    [7200, '+2.0 h'],
    [172_799, '+48.0 h'],
    [172_800, '+2.0 days'],
    [-5, '−5 s, before the hop below it (clock skew)'],
    [-62_198_484, '−719.9 days, before the hop below it (clock skew)'],
  ];
  for (const [s, text] of cases) assert.equal(formatHopDelay(s), text, String(s));
});

test('authlab check prints a hop stamped before the one below it as clock skew, never "+-"', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-hops-'));
  try {
    const top = 'Received: from relay.example.net (relay.example.net [198.51.100.7])\r\n\tby mx.receiver.test; Tue, 24 Nov 2026 09:00:02 +0000';
    const file = path.join(dir, 'skewed.eml');
    writeFileSync(file, `${top}\r\n${plainMessage()}`);
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/authlab.cjs'), 'check', file, '--offline', '--no-color'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const hop1 = r.stdout.split('\n').find((l) => l.trim().startsWith('hop 1:'));
    assert.ok(hop1, r.stdout);
    assert.match(hop1, /\(−60 min, before the hop below it \(clock skew\)\)$/);
    assert.doesNotMatch(r.stdout, /\+-/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
