// The ValiMail ARC validation suite (draft-ietf-dmarc-arc-protocol-18, RFC 8617's last draft):
// every entry goes through evaluateArcReport in strict mode and must give the expected cv.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import mailauth from 'mailauth';
import { sharedData } from './helpers/paths.ts';
import { loadArcValidationSuite } from './helpers/arc-suite.ts';
import { toMailauthResolver } from '../electron/engine/dns/mailauth-adapter.ts';
import { parseHeaderBlock } from '../electron/engine/input/headers.ts';
import { evaluateArcReport } from '../electron/engine/arc/arc-evaluate.ts';

const { dir, skip } = sharedData('conformance/arc');

// Where the 2018 draft suite expects pass and RFC 8617 (with RFC 6376, whose tags the
// ARC-Message-Signature uses) says fail. Strict mode follows the RFCs; both are checked below.
const RFC_OVER_DRAFT: Record<string, string> = {
  // no c= means simple/simple for a DKIM-style signature (RFC 6376 §3.5, RFC 8617 §4.1.2); the draft
  // era defaulted to relaxed/relaxed. Mail::DKIM's copy of the suite flips this expectation too.
  ams_fields_c_na: 'fail',
  // an empty h= signs no From, and From must be signed (RFC 6376 §3.5 h=, §5.4)
  ams_fields_h_empty: 'fail',
};

test('ARC validation suite: all 175 entries give the expected chain status (strict)', { skip }, async () => {
  const tests = loadArcValidationSuite(path.join(dir, 'arc-draft-validation-tests.yml'));
  assert.equal(tests.length, 175, 'the suite has 175 entries when repeated names are kept');
  assert.equal(new Set(tests.map((t) => `${t.scenario}/${t.name}`)).size, 175);
  const failures: string[] = [];
  let matched = 0;
  for (const t of tests) {
    const dkimRaw = await mailauth.dkimVerify(t.message, { resolver: toMailauthResolver(t.resolver) as never, strict: true });
    const { report } = await evaluateArcReport({ dkimRaw, headers: parseHeaderBlock(t.message), resolver: t.resolver, mode: 'strict' });
    const expected = RFC_OVER_DRAFT[t.name] ?? t.cv;
    if (report.result === t.cv) matched++;
    if (report.result !== expected) failures.push(`${t.name}: expected ${expected}, got ${report.result} (${report.reason})`);
    // a failing chain always names where it breaks; a passing one never does
    if (report.result === 'fail' ? !(report.brokenAt! >= 1) : report.brokenAt !== undefined) {
      failures.push(`${t.name}: brokenAt ${report.brokenAt} with result ${report.result}`);
    }
  }
  console.log(`arc conformance: ${matched}/${tests.length} (the other ${tests.length - matched}: RFC 8617 over the 2018 draft, ${Object.keys(RFC_OVER_DRAFT).join(', ')})`);
  assert.equal(matched, tests.length - Object.keys(RFC_OVER_DRAFT).length);
  assert.deepEqual(failures, []);
});

test('ARC signing suite', { skip: 'needs the sealing side (createSeal with the suite keys and times); planned for a later issue' }, () => {});
