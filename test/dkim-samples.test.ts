// Real signed messages from other projects' fixtures (/work/shared/samples/messages), verified
// after LF→CRLF at the clocks their READMEs give, against the per-signature verdicts their
// manifests state: `expect` (what the source's tests assert) and `verified_here` (dkimpy).

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedData } from './helpers/paths.ts';
import { toCrlf } from './helpers/dkim-message.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { parseHeaderBlock } from '../electron/engine/input/headers.ts';
import { verifyDkim } from '../electron/engine/dkim/dkim-verify.ts';
import type { DkimSignatureReport, VerifyMode } from '../shared/report.ts';

const samples = sharedData('samples/messages');
const FOLDERS = ['dkim_verifier', 'blaze', 'stalwart-mail-auth', 'mailauth', 'hamcrest-mail'];
// mailauth's verify-signatures-test.js verifies dkim-ec-signed.eml at this clock
const CLOCKS: Record<string, number> = { 'mailauth/dkim-ec-signed.eml': 1528637909 };

interface FileEntry {
  verify_at?: number;
  expect?: {
    dkim?: { d: string; s?: string; result: string }[] | string;
    dkim_count?: number;
    dkim_0?: { d: string; result: string };
    last_dkim_signature?: string;
  };
  verified_here?: { clock?: number; dkim?: { d: string; a: string; result: string; key_in_dns: boolean }[] | null };
}

/** What a signature dkimpy passed must give here: rsa-sha1 is refused in strict mode (RFC 8301 §3.1). */
function expectedPass(r: DkimSignatureReport, mode: VerifyMode): string {
  return mode === 'strict' && r.algorithm === 'rsa-sha1' ? 'policy' : 'pass';
}

for (const folder of FOLDERS) {
  test(`DKIM samples: ${folder}`, { skip: samples.skip }, async (t) => {
    const dir = path.join(samples.dir, folder);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, FileEntry> };
    const dns = JSON.parse(readFileSync(path.join(dir, 'dns.json'), 'utf8'));
    for (const [file, entry] of Object.entries(manifest.files)) {
      for (const mode of ['strict', 'lenient'] as const) {
        await t.test(`${file} [${mode}]`, async () => {
          const message = toCrlf(readFileSync(path.join(dir, file)));
          const clock = entry.verify_at ?? entry.verified_here?.clock ?? CLOCKS[`${folder}/${file}`];
          const now = clock ? new Date(clock * 1000) : new Date();
          const { reports } = await verifyDkim({ message, headers: parseHeaderBlock(message), resolver: MemoryResolver.fromJson(dns), now, mode });
          const show = (r: DkimSignatureReport) => `#${r.index} d=${r.domain}: ${r.result} (${r.reason})`;

          // dkimpy's cross-check, signature by signature in header order
          const checked = entry.verified_here?.dkim ?? [];
          const unused = [...reports];
          for (const vh of checked) {
            const i = unused.findIndex((r) => r.domain?.toLowerCase() === vh.d.toLowerCase() && r.algorithm === vh.a);
            assert.ok(i >= 0, `no report for d=${vh.d} a=${vh.a}`);
            const r = unused.splice(i, 1)[0];
            if (vh.result === 'pass') assert.equal(r.result, expectedPass(r, mode), show(r));
            else if (!vh.key_in_dns) {
              assert.equal(r.result, 'neutral', show(r));
              assert.match(r.reason, /no key/, show(r));
              assert.equal(r.headerSignature, 'not-checked');
            } else {
              assert.equal(r.result, 'fail', show(r));
            }
          }

          // the source's own assertions
          const e = entry.expect ?? {};
          if (e.dkim_count !== undefined) assert.equal(reports.length, e.dkim_count);
          if (e.dkim_0) {
            assert.equal(reports[0]?.domain, e.dkim_0.d);
            assert.equal(reports[0]?.result, 'pass', reports[0] && show(reports[0]));
          }
          if (e.last_dkim_signature === 'pass') assert.equal(reports.at(-1)?.result, 'pass', reports.at(-1) && show(reports.at(-1)!));
          if (e.dkim === 'at least one signature passes') assert.ok(reports.some((r) => r.result === 'pass'), reports.map(show).join('; '));
          if (Array.isArray(e.dkim)) {
            for (const want of e.dkim.filter((w) => w.result === 'pass')) {
              const r = reports.find((x) => x.domain === want.d && (!want.s || x.selector === want.s));
              assert.ok(r, `no signature d=${want.d}`);
              assert.equal(r.result, expectedPass(r, mode), show(r));
            }
          }
        });
      }
    }
  });
}
