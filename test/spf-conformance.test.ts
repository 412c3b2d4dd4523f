// The OpenSPF RFC 7208 test suite (2019.08, the 2014.04 release and the older RFC 4408 suite) run against our evaluator in
// strict mode and against mailauth's spf() with strict: true. One summary line per suite.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { sharedData } from './helpers/paths.ts';
import { loadSpfSuite, zoneResolver, type SpfSuiteCase } from './helpers/spf-suite.ts';
import { evaluateSpf, spfIdentity } from '../electron/engine/spf/spf-evaluate.ts';
import { mailauthSpf } from '../electron/engine/spf/spf-mailauth.ts';
import type { Resolver } from '../electron/engine/dns/resolver.ts';

const data = sharedData('conformance/spf');

/** Case-insensitive: DNS names in explanations (e.g. %{ir} of an IPv6 client) may differ only in case. */
function checkExplanation(c: SpfSuiteCase, result: string, explanation: string | undefined): string | undefined {
  if (c.explanation === undefined || result !== 'fail') return undefined;
  if (c.explanation === 'DEFAULT') return explanation === undefined ? undefined : `expected no exp= explanation, got "${explanation}"`;
  return explanation?.toLowerCase() === c.explanation.toLowerCase() ? undefined : `expected explanation "${c.explanation}", got ${JSON.stringify(explanation)}`;
}

async function ours(c: SpfSuiteCase, resolver: Resolver) {
  const id = spfIdentity(c.mailfrom, c.helo);
  const r = await evaluateSpf({ ip: c.host, ...id, helo: c.helo, resolver, mode: 'strict', now: new Date('2025-01-01T00:00:00Z') });
  return { result: r.result, explanation: r.explanation, reason: r.reason };
}

async function theirs(c: SpfSuiteCase, resolver: Resolver) {
  const r = await mailauthSpf({ ip: c.host, sender: c.mailfrom, helo: c.helo }, resolver, true);
  return { result: r.result, explanation: r.explanation, reason: r.comment ?? '' };
}

function runSuite(label: string, file: string) {
  const full = path.join(data.dir, file);
  const skip = data.skip || (existsSync(full) ? false : `${file} is not in ../shared/conformance/spf`);
  test(label, { skip }, async (t) => {
    const scenarios = loadSpfSuite(full);
    const counts = { total: 0, ours: 0, mailauth: 0 };
    for (const s of scenarios) {
      for (const c of s.cases) {
        counts.total++;
        for (const [who, run] of [
          ['ours', ours],
          ['mailauth strict', theirs],
        ] as const) {
          await t.test(`${who}: ${c.name}`, async () => {
            // a fresh zone per run: nothing cached between cases or implementations
            const got = await run(c, zoneResolver(s.zonedata));
            const where = `${c.scenario} / ${c.name} (spec ${c.spec}): ${who} gave ${got.result} (${got.reason})`;
            assert.ok(c.results.includes(got.result), `${where}; expected ${c.results.join(' or ')}`);
            const expProblem = checkExplanation(c, got.result, got.explanation);
            assert.equal(expProblem, undefined, `${where}; ${expProblem}`);
            if (who === 'ours') counts.ours++;
            else counts.mailauth++;
          });
        }
      }
    }
    const line = `${label}: ours ${counts.ours}/${counts.total}, mailauth strict ${counts.mailauth}/${counts.total}`;
    t.diagnostic(line);
    console.log(line);
  });
}

runSuite('spf rfc7208', 'rfc7208-tests.yml');

// Lenient mode differs from strict only in the void-lookup limit (a warning instead of permerror).
test('spf rfc7208: lenient mode departs from strict only where the void-lookup limit is exceeded', { skip: data.skip }, async (t) => {
  const differ: string[] = [];
  for (const s of loadSpfSuite(path.join(data.dir, 'rfc7208-tests.yml'))) {
    for (const c of s.cases) {
      const id = spfIdentity(c.mailfrom, c.helo);
      const base = { ip: c.host, ...id, helo: c.helo, now: new Date('2025-01-01T00:00:00Z') };
      const strict = await evaluateSpf({ ...base, resolver: zoneResolver(s.zonedata), mode: 'strict' });
      const lenient = await evaluateSpf({ ...base, resolver: zoneResolver(s.zonedata), mode: 'lenient' });
      if (strict.result !== lenient.result) differ.push(`${c.name}: strict ${strict.result}, lenient ${lenient.result}`);
    }
  }
  t.diagnostic(`lenient differs on: ${differ.join('; ')}`);
  assert.deepEqual(differ, ['void-over-limit: strict permerror, lenient neutral']);
});
runSuite('spf rfc7208 2014.04', 'rfc7208-tests-2014.04.yml');
// The RFC 4408 suite predates RFC 7208; where the two RFCs differ (SPF-type records, mx-limit,
// ambiguous cases) its tests list every acceptable result, so today's verdicts satisfy it too.
runSuite('spf rfc4408', 'rfc4408-tests.yml');
