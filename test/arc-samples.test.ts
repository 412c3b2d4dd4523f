// Real ARC chains with their sources' expectations: ocaml-arc (linux-kernel list mail sealed by
// Microsoft 365, Zoho, webhostingserver.nl, kernel.org), blaze (the same kind, stored with LF),
// and ValiMail authentication-headers' pass/fail pair. Each set's seal state is checked, and a
// kernel.org seal with cv=fail is where the chain breaks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mailauth from 'mailauth';
import { sharedData } from './helpers/paths.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { toMailauthResolver } from '../electron/engine/dns/mailauth-adapter.ts';
import { parseHeaderBlock } from '../electron/engine/input/headers.ts';
import { evaluateArcReport } from '../electron/engine/arc/arc-evaluate.ts';

const { dir: base, skip } = sharedData('samples/messages');

interface ChainExpectation {
  i: number;
  domain: string;
  status?: 'valid' | 'broken';
  valid?: boolean;
}

async function runArc(folder: string, file: string) {
  const resolver = MemoryResolver.fromJson(JSON.parse(readFileSync(path.join(base, folder, 'dns.json'), 'utf8')));
  const msg = Buffer.from(readFileSync(path.join(base, folder, file), 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  const dkimRaw = await mailauth.dkimVerify(msg, { resolver: toMailauthResolver(resolver) as never, strict: true });
  return evaluateArcReport({ dkimRaw, headers: parseHeaderBlock(msg), resolver, mode: 'strict', ip: '192.0.2.1' });
}

function checkChain(label: string, report: Awaited<ReturnType<typeof runArc>>['report'], chain: ChainExpectation[]) {
  assert.equal(report.instances.length, chain.length, `${label}: number of sets`);
  const broken = chain.find((c) => c.status === 'broken' || c.valid === false);
  for (const c of chain) {
    const x = report.instances.find((s) => s.i === c.i)!;
    assert.equal(x.seal.domain, c.domain, `${label} i=${c.i} domain`);
    const valid = c.status ? c.status === 'valid' : c.valid;
    assert.equal(x.seal.result, valid ? 'pass' : 'fail', `${label} i=${c.i} seal`);
    assert.ok(x.seal.source && x.messageSignature.source && x.authResults?.source, `${label} i=${c.i}: byte ranges of the set`);
  }
  assert.equal(report.result, broken ? 'fail' : 'pass', `${label}: chain result`);
  assert.equal(report.brokenAt, broken?.i, `${label}: brokenAt`);
}

test('ocaml-arc: the chain state of every set, as ocaml-arc expects', { skip }, async () => {
  const manifest = JSON.parse(readFileSync(path.join(base, 'ocaml-arc', 'manifest.json'), 'utf8'));
  const files = Object.keys(manifest.files);
  assert.equal(files.length, 8);
  for (const file of files) {
    const { report } = await runArc('ocaml-arc', file);
    checkChain(file, report, manifest.files[file].expect.arc_chain);
    if (report.brokenAt) {
      const x = report.instances.find((s) => s.i === report.brokenAt)!;
      assert.equal(x.seal.cv, 'fail');
      assert.match(x.seal.reason!, /wrote cv=fail/);
      // the sets before it are still shown as valid
      assert.ok(report.instances.filter((s) => s.i < report.brokenAt!).every((s) => s.seal.result === 'pass'));
    }
  }
});

test('blaze: ARC chains of 002, 004, 005, 006', { skip }, async () => {
  const manifest = JSON.parse(readFileSync(path.join(base, 'blaze', 'manifest.json'), 'utf8'));
  for (const file of ['002.mail', '004.mail', '005.mail', '006.mail']) {
    const { report } = await runArc('blaze', file);
    checkChain(file, report, manifest.files[file].expect.arc.chain);
  }
  const none = await runArc('blaze', '003.mail');
  assert.equal(none.report.result, 'none');
  assert.equal(none.report.instances.length, 0);
});

test('authentication-headers: arc_pass.eml passes, arc_chain_validation_fail.eml fails at the message signature', { skip }, async () => {
  const pass = await runArc('authentication-headers', 'arc_pass.eml');
  assert.equal(pass.report.result, 'pass');
  assert.equal(pass.report.instances[0].messageSignature.result, 'pass');
  assert.match(pass.report.instances[0].authResults!.value, /^lists\.example\.org;\s+spf=pass/);
  const fail = await runArc('authentication-headers', 'arc_chain_validation_fail.eml');
  assert.equal(fail.report.result, 'fail');
  assert.equal(fail.report.brokenAt, 1);
  assert.equal(fail.report.instances[0].seal.result, 'pass', 'the seal itself verifies');
  assert.equal(fail.report.instances[0].messageSignature.result, 'fail', 'the body was changed');
  assert.match(fail.report.reason, /newest ARC-Message-Signature \(i=1\) does not verify/);
});
