// Strict (today's RFCs) against lenient verification: where they disagree the report carries both
// verdicts and the reason, the usual answer to "why do two checkers disagree?".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../electron/engine/engine.ts';
import { makeKey, signMessage, plainMessage, exampleZone } from './helpers/signed-message.ts';

const at = '2026-11-24T10:05:00Z';

test('an rsa-sha1 signature: strict says policy (RFC 8301), lenient says pass, and DMARC follows', async () => {
  const key = makeKey('rsa', 2048);
  const sha1 = { ...key, algorithm: 'rsa-sha1' as const };
  const msg = await signMessage(plainMessage(), 'example.com', 'sel1', sha1 as never);
  assert.match(msg, /a=rsa-sha1/);
  const engine = createEngine();
  // an IP outside the SPF record: DMARC rests on DKIM alone
  const dns = { offline: true, zones: [{ name: 'example.com', text: exampleZone('sel1', key) }] };
  const { messages } = await engine.evaluate(Buffer.from(msg), { ip: '198.51.100.7', at }, dns);
  const r = messages[0]!;
  assert.ok(r.ok);
  assert.equal(r.mode, 'strict');
  assert.equal(r.dkim[0]!.result, 'policy');
  assert.match(r.dkim[0]!.reason, /rsa-sha1|RFC 8301/);
  assert.deepEqual(r.dkim[0]!.lenient?.result, 'pass');
  assert.equal(r.dmarc.result, 'fail');
  assert.equal(r.dmarc.lenient?.result, 'pass');
  const dkimDiff = r.modeDifferences.find((d) => d.check.startsWith('DKIM'));
  assert.ok(dkimDiff, 'the DKIM difference is listed');
  assert.equal(dkimDiff.strict, 'policy');
  assert.equal(dkimDiff.lenient, 'pass');
  assert.match(dkimDiff.why, /rsa-sha1|RFC 8301/);
  assert.ok(r.modeDifferences.some((d) => d.check === 'DMARC' && d.strict === 'fail' && d.lenient === 'pass'));
  assert.ok(r.summary.lines.some((l) => /Strict and lenient verifiers disagree on DMARC/.test(l)));

  // asked for lenient, the primary verdict is the lenient one, and the strict one is still shown
  const lenient = (await engine.evaluate(Buffer.from(msg), { ip: '198.51.100.7', at, mode: 'lenient' }, dns)).messages[0]!;
  assert.ok(lenient.ok);
  assert.equal(lenient.mode, 'lenient');
  assert.equal(lenient.dkim[0]!.result, 'pass');
  assert.ok(lenient.modeDifferences.some((d) => d.check.startsWith('DKIM') && d.strict === 'policy' && d.lenient === 'pass'));
});

test('a clean strict pass is not evaluated twice, and lists no differences', async () => {
  const key = makeKey('ed25519');
  const msg = await signMessage(plainMessage(), 'example.com', 'ed1', key);
  const dns = { offline: true, zones: [{ name: 'example.com', text: exampleZone('ed1', key) }] };
  const r = (await createEngine().evaluate(Buffer.from(msg), { at }, dns)).messages[0]!;
  assert.ok(r.ok);
  assert.equal(r.dkim[0]!.result, 'pass');
  assert.equal(r.spf.result, 'pass');
  assert.equal(r.dmarc.result, 'pass');
  assert.deepEqual(r.modeDifferences, []);
  // each distinct question asked once: the log shows no second evaluation
  const questions = r.dns.map((q) => `${q.type} ${q.name}`);
  assert.equal(new Set(questions).size, questions.length);
});
