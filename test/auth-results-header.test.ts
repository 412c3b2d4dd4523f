// The fresh Authentication-Results header must be valid RFC 8601: our own parser reads back
// exactly the verdicts the report holds, whatever the reasons contain.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../electron/engine/engine.ts';
import { parseAuthResultsValue } from '../electron/engine/auth-results/parse.ts';
import { makeKey, signMessage, plainMessage, exampleZone } from './helpers/signed-message.ts';

test('the fresh Authentication-Results parses back to the report verdicts', async () => {
  const key = makeKey('ed25519');
  const good = await signMessage(plainMessage(), 'example.com', 'ed1', key);
  const tampered = good.replace('figures', 'numbers');
  const engine = createEngine({ clock: () => new Date('2026-11-24T10:05:00Z') });
  for (const [msg, zone] of [
    [good, exampleZone('ed1', key)],
    [tampered, exampleZone('ed1', key)],
    [good, exampleZone('other', key)], // no key: the reason has parentheses in it
  ] as const) {
    const { messages } = await engine.evaluate(Buffer.from(msg), { authservId: 'mx.receiver.test' }, { offline: true, zones: [{ name: 'example.com', text: zone }] });
    const r = messages[0]!;
    assert.ok(r.ok);
    const value = r.authenticationResults.replace(/^Authentication-Results:\s*/i, '').replace(/\r\n/g, '');
    const parsed = parseAuthResultsValue(value);
    assert.equal(parsed.authservId, 'mx.receiver.test');
    const got = Object.fromEntries(parsed.results.map((x) => [x.method, x.result]));
    assert.equal(got.dkim, r.dkim[0]!.result);
    assert.equal(got.spf, r.spf.result);
    assert.equal(got.dmarc, r.dmarc.result);
    assert.equal(got.arc, 'none');
    const dkim = parsed.results.find((x) => x.method === 'dkim')!;
    assert.equal(dkim.properties['header.d'], 'example.com');
    assert.equal(dkim.properties['header.b'], r.dkim[0]!.b!.slice(0, 8));
  }
});
