// Each step points at the DNS answers it used: the UI shows them beside the step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../electron/engine/engine.ts';
import { makeKey, signMessage, plainMessage, keyRecordLine } from './helpers/signed-message.ts';

test('DKIM key lookup, SPF records and include terms point at their query-log entries', async () => {
  const key = makeKey('ed25519');
  const msg = await signMessage(plainMessage(), 'example.com', 'ed1', key);
  const zone = [
    '$ORIGIN example.com.',
    '@ IN TXT "v=spf1 include:_spf.mailer.test mx -all"',
    '@ IN MX 10 mx1.example.com.',
    'mx1 IN A 198.51.100.9',
    '_dmarc IN TXT "v=DMARC1; p=none"',
    keyRecordLine('ed1', 'example.com', key),
    '_spf.mailer.test. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
  ].join('\n');
  const r = (await createEngine().evaluate(Buffer.from(msg), { at: '2026-11-24T10:05:00Z' }, { offline: true, zones: [{ name: 'z', text: zone }] })).messages[0]!;
  assert.ok(r.ok);
  const entry = (seq: number) => r.dns.find((q) => q.seq === seq)!;
  const names = (seqs: number[] | undefined) => (seqs ?? []).map((s) => `${entry(s).type} ${entry(s).name}`);

  const keyStep = r.dkim[0]!.steps.find((s) => s.title === 'Key lookup')!;
  assert.deepEqual(names(keyStep.dns), ['TXT ed1._domainkey.example.com']);

  const spf = r.spf.mailfrom!;
  assert.equal(spf.result, 'pass');
  const recordStep = spf.steps.find((s) => s.title.startsWith('Looked up the SPF record of example.com'))!;
  assert.deepEqual(names(recordStep.dns), ['TXT example.com']);
  const include = spf.tree!.terms.find((t) => t.name === 'include')!;
  assert.deepEqual(names(include.dns), ['TXT _spf.mailer.test']);
  const matchStep = spf.steps.find((s) => s.title.includes('include:_spf.mailer.test'));
  assert.ok(matchStep?.dns?.length, 'the deciding include step carries the included record');
  // terms after the match were not reached and asked nothing
  const mx = spf.tree!.terms.find((t) => t.name === 'mx')!;
  assert.equal(mx.status, 'not-reached');
  assert.equal(mx.dns, undefined);

});
