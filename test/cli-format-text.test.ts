// The CLI's step-by-step text (electron/cli/format-text.ts) for ARC and BIMI: each ARC set's
// results, why an older set's message signature reads "none" (it is not validated), and the ARC
// and BIMI steps, as the SPF, DKIM and DMARC sections print theirs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatOutcome } from '../electron/cli/format-text.ts';
import { fixtureReport } from './ipc-report-fixture.ts';

test('ARC: each set, the note on an older set’s message signature, then the steps', () => {
  const notValidated = 'not validated: only the newest ARC-Message-Signature is (RFC 8617 §5.2 step 4)';
  const report = fixtureReport({
    arc: {
      result: 'fail',
      reason: 'The ARC chain fails at set i=2.',
      brokenAt: 2,
      instances: [
        { i: 1, seal: { result: 'pass', cv: 'none', domain: 'lists.example.org' }, messageSignature: { result: 'none', domain: 'lists.example.org', reason: notValidated } },
        {
          i: 2,
          seal: { result: 'fail', cv: 'pass', domain: 'fwd.example.net', reason: 'no key record for the ARC-Seal of set i=2' },
          messageSignature: { result: 'fail', domain: 'fwd.example.net', reason: 'neutral (no key)' },
        },
      ],
      steps: [
        { status: 'fail', title: 'Set i=2: ARC-Seal by fwd.example.net (s=gone, cv=pass)', detail: 'no key record for the ARC-Seal of set i=2' },
        { status: 'fail', title: 'Result', detail: 'The ARC chain fails at set i=2.' },
      ],
    },
  });
  const lines = formatOutcome({ ok: true, ...report }, { color: false }).split('\n');
  const at = lines.indexOf('ARC  FAIL');
  assert.ok(at > 0, lines.join('\n'));
  assert.deepEqual(lines.slice(at + 1, at + 6), [
    '  The ARC chain fails at set i=2.',
    `  i=1: seal pass (cv=none, d=lists.example.org), message signature none (d=lists.example.org) — ${notValidated}`,
    '  i=2: seal fail (cv=pass, d=fwd.example.net), message signature fail (d=fwd.example.net)',
    '  ✗ Set i=2: ARC-Seal by fwd.example.net (s=gone, cv=pass): no key record for the ARC-Seal of set i=2',
    '  ✗ Result: The ARC chain fails at set i=2.',
  ]);
});

test('BIMI: the reason, then the steps; a skipped BIMI prints no section', () => {
  const bimi = {
    result: 'none' as const,
    reason: 'No BIMI record for the selector "default" at the From domain or its organisational domain.',
    steps: [
      { status: 'pass' as const, title: 'DMARC prerequisite', detail: 'DMARC passed for example.com with an enforcing policy (reject).' },
      { status: 'info' as const, title: 'Selector', detail: 'No BIMI-Selector header field: the selector is "default".' },
    ],
  };
  const lines = formatOutcome({ ok: true, ...fixtureReport({ bimi }) }, { color: false }).split('\n');
  const at = lines.indexOf('BIMI  NONE');
  assert.ok(at > 0, lines.join('\n'));
  assert.deepEqual(lines.slice(at + 1, at + 4), [
    `  ${bimi.reason}`,
    '  ✓ DMARC prerequisite: DMARC passed for example.com with an enforcing policy (reject).',
    '  · Selector: No BIMI-Selector header field: the selector is "default".',
  ]);
  const skipped = formatOutcome({ ok: true, ...fixtureReport({ bimi: { ...bimi, result: 'skipped' } }) }, { color: false });
  assert.ok(!skipped.split('\n').some((l) => l.startsWith('BIMI')), skipped);
});
