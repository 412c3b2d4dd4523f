// Sealing as an intermediary: the AAR payload taken from the message's own Authentication-Results,
// and the chain status found on the message (the ARC signing suite runs in arc-conformance.test.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authResultsOf } from '../electron/engine/signing/arc-intermediary.ts';
import { mergedAuthResults, splitTopLevel } from '../shared/auth-results-payload.ts';

const msg = (...fields: string[]) => Buffer.from(`${fields.join('\r\n')}\r\nFrom: a@example.com\r\n\r\nbody\r\n`);

test('splitTopLevel cuts at the semicolons outside comments and quoted strings', () => {
  assert.deepEqual(splitTopLevel('mx.example; dkim=pass (good; really (nested; yes)) header.d="x;y";\r\n  spf=fail'), [
    'mx.example',
    'dkim=pass (good; really (nested; yes)) header.d="x;y"',
    'spf=fail',
  ]);
  assert.deepEqual(splitTopLevel('a (escaped \\) still; in comment) ; b'), ['a (escaped \\) still; in comment)', 'b']);
  assert.deepEqual(splitTopLevel('x'), ['x']);
});

test('authResultsOf merges the fields of one authserv-id, top to bottom, and leaves the others', () => {
  const m = msg(
    'Authentication-Results: MX.Example.org; arc=none',
    'Authentication-Results: other.example; dmarc=fail',
    'Authentication-Results: mx.example.org;\r\n  spf=pass smtp.mailfrom=a@example.com; dkim=pass (2048-bit key; ok) header.d=example.com',
    'Authentication-Results: mx.example.org; none',
    'Authentication-Results: mx.example.org 1; dmarc=pass',
  );
  assert.equal(
    authResultsOf(m, 'mx.example.org'),
    'MX.Example.org; arc=none; spf=pass smtp.mailfrom=a@example.com; dkim=pass (2048-bit key; ok) header.d=example.com; dmarc=pass',
  );
  assert.equal(authResultsOf(m, 'other.example'), 'other.example; dmarc=fail');
  // an authserv-id that wrote only "none" still vouches for that
  assert.equal(authResultsOf(msg('Authentication-Results: quiet.example; none'), 'quiet.example'), 'quiet.example');
});

test('mergedAuthResults (shared with the signing lab) takes parsed field values; undefined for an authserv-id not there', () => {
  const fields = [
    { authservId: 'mx.example.org', value: ' mx.example.org; spf=pass' },
    { authservId: undefined, value: ' spf=fail (a Microsoft-style field: no authserv-id)' },
    { authservId: 'MX.example.org', value: ' MX.example.org; dkim=pass header.d="a;b"' },
  ];
  assert.equal(mergedAuthResults(fields, 'mx.example.org'), 'mx.example.org; spf=pass; dkim=pass header.d="a;b"');
  assert.equal(mergedAuthResults(fields, 'other.example'), undefined);
});

test('authResultsOf says so when the message has nothing from that authserv-id', () => {
  assert.throws(
    () => authResultsOf(msg('Authentication-Results: other.example; spf=pass'), 'mx.example.org'),
    (e: Error & { code?: string }) => e.code === 'no-auth-results' && /no Authentication-Results field from mx\.example\.org/.test(e.message),
  );
});
