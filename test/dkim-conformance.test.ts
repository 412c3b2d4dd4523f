// The DKIM conformance corpora (Mail::DKIM, dkimpy, RFC 8463) in both modes, against the
// expectations of /work/shared/conformance/dkim/manifest.json.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedData } from './helpers/paths.ts';
import { loadZone, type ZoneSpec } from './helpers/dkim-zones.ts';
import { bestResult, tagOf, toCrlf } from './helpers/dkim-message.ts';
import { parseHeaderBlock } from '../electron/engine/input/headers.ts';
import { verifyDkim } from '../electron/engine/dkim/dkim-verify.ts';
import type { DkimSignatureReport, VerifyMode } from '../shared/report.ts';

const conformance = sharedData('conformance/dkim');

type Expectation = string | string[];
interface Vector {
  id: string;
  message: string;
  zone: string;
  expect: { rfc: Expectation; lenient: Expectation };
  signatures?: { match: { a?: string; c?: string; b?: string }; rfc: Expectation; lenient: Expectation }[];
}
interface Manifest {
  classes: Record<string, string[]>;
  zones: Record<string, ZoneSpec>;
  vectors: Vector[];
}

// Where our lenient mode deliberately differs from the manifest's lenient expectation (which is
// "RFC 6376 without RFC 8301", what the upstream suites assert). These still run and are
// reported as TODO, not hidden.
// Every vector is expected to pass in both modes; an entry here would name a known deviation and why.
const LENIENT_DEVIATIONS: Record<string, string> = {};

function accepted(manifest: Manifest, e: Expectation): string[] {
  return [e].flat().flatMap((c) => manifest.classes[c] ?? [c]);
}

function matches(r: DkimSignatureReport, m: { a?: string; c?: string; b?: string }): boolean {
  if (m.a && r.algorithm !== m.a.toLowerCase()) return false;
  if (m.c && tagOf(r, 'c')?.toLowerCase() !== m.c.toLowerCase()) return false;
  if (m.b && !(r.b ?? '').startsWith(m.b)) return false;
  return true;
}

test('DKIM conformance vectors, strict and lenient', { skip: conformance.skip }, async (t) => {
  const manifest = JSON.parse(readFileSync(path.join(conformance.dir, 'manifest.json'), 'utf8')) as Manifest;
  const tally: Record<VerifyMode, { ok: number; total: number; failed: string[] }> = {
    strict: { ok: 0, total: 0, failed: [] },
    lenient: { ok: 0, total: 0, failed: [] },
  };
  const now = new Date();
  for (const v of manifest.vectors) {
    // as evaluated: LF line ends become CRLF (dkimpy's files are stored with LF)
    const message = toCrlf(readFileSync(path.join(conformance.dir, v.message)));
    for (const mode of ['strict', 'lenient'] as const) {
      const expected = mode === 'strict' ? v.expect.rfc : v.expect.lenient;
      if (expected === 'skip') continue;
      const todo = mode === 'lenient' ? LENIENT_DEVIATIONS[v.id] : undefined;
      await t.test(`${v.id} [${mode}]`, todo ? { todo } : {}, async () => {
        const { reports, raw } = await verifyDkim({ message, headers: parseHeaderBlock(message), resolver: loadZone(conformance.dir, manifest.zones[v.zone]), now, mode });
        const problems: string[] = [];
        const best = bestResult(reports);
        const want = accepted(manifest, expected);
        if (!want.includes(best)) problems.push(`message: got ${best} (${reports.map((r) => `${r.result}: ${r.reason}`).join(' | ')}), expected ${JSON.stringify(expected)}`);
        for (const sig of v.signatures ?? []) {
          const e = mode === 'strict' ? sig.rfc : sig.lenient;
          const r = reports.find((x) => matches(x, sig.match));
          if (!r) problems.push(`no signature matches ${JSON.stringify(sig.match)}`);
          else if (!accepted(manifest, e).includes(r.result)) problems.push(`signature ${JSON.stringify(sig.match)}: got ${r.result} (${r.reason}), expected ${JSON.stringify(e)}`);
        }
        // invariants of every report
        for (const r of reports) {
          if (r.result === 'pass') assert.equal(r.headerSignature, 'valid', `${v.id} #${r.index}: a pass must have a valid header signature`);
          assert.equal(r.steps.at(-1)?.title, 'Result');
        }
        assert.equal(reports.length, parseHeaderBlock(message).fields.filter((f) => f.key === 'dkim-signature').length);
        assert.ok(Array.isArray(raw.results));
        tally[mode].total++;
        if (problems.length) tally[mode].failed.push(`${v.id}${todo ? ' (known)' : ''}`);
        else tally[mode].ok++;
        assert.deepEqual(problems, []);
      });
    }
  }
  const line = (m: VerifyMode) => `${m} ${tally[m].ok}/${tally[m].total}`;
  const known = Object.keys(LENIENT_DEVIATIONS).length;
  console.log(`dkim conformance: ${line('strict')}, ${line('lenient')} (${known} lenient vectors are known deviations, reported as TODO)`);
  if (tally.strict.failed.length || tally.lenient.failed.length) console.log(`  not matching: ${[...tally.strict.failed.map((f) => `strict ${f}`), ...tally.lenient.failed.map((f) => `lenient ${f}`)].join(', ')}`);
});
