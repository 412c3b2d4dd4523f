import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHeaderBlock } from '../electron/engine/input/headers.ts';
import { parseStoredResults } from '../electron/engine/auth-results/parse.ts';
import { compareStoredResults, storedClientIp } from '../electron/engine/auth-results/compare.ts';
import type { RecomputedResults } from '../electron/engine/auth-results/compare.ts';

const stored = (lines: string[]) => parseStoredResults(parseHeaderBlock(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`)));
const B1 = 'abcdEFGH1234ijklMNOP5678qrstUVWX';
const B2 = 'zyxwVUTS9876rqpoNMLK5432jihgFEDC';

// A list message as Gmail received it, then forwarded: the list changed the Subject.
const FORWARDED = [
  'Authentication-Results: mx.google.com;',
  '       dkim=pass header.i=@example.org header.s=s2024 header.b=abcdEFGH;',
  '       spf=pass (google.com: domain of bounce@example.org designates 203.0.113.7 as permitted sender) smtp.mailfrom=bounce@example.org;',
  '       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.org',
  'Received-SPF: pass (google.com: domain of bounce@example.org designates 203.0.113.7 as permitted sender) client-ip=203.0.113.7;',
];

const recomputed = (o: Partial<RecomputedResults>): RecomputedResults => ({ spf: 'pass', dkim: [], dmarc: 'pass', arc: 'none', ...o });

test('a forwarded, changed message: dkim=pass stored, fails now', () => {
  const s = stored(FORWARDED);
  const d = compareStoredResults(s, recomputed({ dkim: [{ domain: 'example.org', selector: 's2024', b: B1, result: 'fail' }], dmarc: 'pass', ip: '203.0.113.7' }));
  assert.equal(d.length, 1);
  assert.deepEqual({ ...d[0], note: undefined }, { method: 'dkim', stored: 'pass', recomputed: 'fail', header: 0, note: undefined });
  assert.equal(
    d[0].note,
    'the receiver mx.google.com: stored says dkim=pass for d=example.org s=s2024 but the signature no longer verifies: the message was changed after that receiver saw it.',
  );
});

test('a signature that cannot be checked now (no key) is not called a changed message', () => {
  const s = stored(FORWARDED);
  const noKey = compareStoredResults(s, recomputed({ dkim: [{ domain: 'example.org', selector: 's2024', b: B1, result: 'neutral', reason: 'no key: no key record (NXDOMAIN)', headerSignature: 'not-checked', bodyMatches: true }], ip: '203.0.113.7' }));
  assert.equal(noKey.length, 1);
  assert.match(noKey[0].note, /but it cannot be verified now \(no key: no key record \(NXDOMAIN\)\): the key may have been removed or rotated since, or DNS is not reachable here; that does not mean the message changed\.$/);
  const body = compareStoredResults(s, recomputed({ dkim: [{ domain: 'example.org', b: B1, result: 'neutral', reason: 'body hash did not verify', headerSignature: 'valid', bodyMatches: false }], ip: '203.0.113.7' }));
  assert.match(body[0].note, /no longer verifies \(the body hash no longer matches\): the message was changed after that receiver saw it\.$/);
  const hdr = compareStoredResults(s, recomputed({ dkim: [{ domain: 'example.org', b: B1, result: 'fail', headerSignature: 'invalid', bodyMatches: true }], ip: '203.0.113.7' }));
  assert.match(hdr[0].note, /no longer verifies \(the signed header fields no longer match\): the message was changed/);
});

test('SPF checked at another hop: a different client IP is named', () => {
  const s = stored(FORWARDED);
  const d = compareStoredResults(s, recomputed({ spf: 'fail', dkim: [{ domain: 'example.org', selector: 's2024', b: B1, result: 'pass' }], ip: '198.51.100.9', mailFrom: 'bounce@example.org' }));
  assert.equal(d.length, 1, JSON.stringify(d));
  assert.equal(d[0].method, 'spf');
  assert.equal(d[0].header, 0);
  assert.match(d[0].note, /^the receiver mx\.google\.com says spf=pass but it is fail now: the receiver saw SPF from a different IP \(203\.0\.113\.7; evaluated here for 198\.51\.100\.9\): the stored header was written at another hop\.$/);
  // the same IP: the record changed
  const same = compareStoredResults(s, recomputed({ spf: 'softfail', dkim: [{ domain: 'example.org', b: B1, result: 'pass' }], ip: '203.0.113.7' }));
  assert.match(same[0].note, /for the same IP 203\.0\.113\.7, the SPF record .* has changed since/);
  // a different MAIL FROM
  const mf = compareStoredResults(s, recomputed({ spf: 'none', dkim: [{ domain: 'example.org', b: B1, result: 'pass' }], ip: '203.0.113.7', mailFrom: '' }));
  assert.match(mf[0].note, /checked a different MAIL FROM \(bounce@example\.org; here <>\)/);
});

test('the topmost header of each authserv-id counts; older ones from the same receiver do not', () => {
  const s = stored([
    'Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.org smtp.client-ip=192.0.2.1',
    'Authentication-Results: mx.example.net; spf=fail smtp.mailfrom=example.org smtp.client-ip=192.0.2.99',
    'Authentication-Results: relay.example.com; spf=fail smtp.mailfrom=example.org smtp.client-ip=192.0.2.99',
  ]);
  const d = compareStoredResults(s, recomputed({ ip: '192.0.2.1' }));
  assert.equal(d.length, 1);
  assert.equal(d[0].header, 2);
  assert.match(d[0].note, /^the receiver relay\.example\.com says spf=fail but it is pass now: the receiver saw SPF from a different IP \(192\.0\.2\.99/);
});

test('one receiver writing a header per method (kernel.org) is compared method by method', () => {
  const s = stored([
    'Authentication-Results: smtp.subspace.kernel.org; arc=fail smtp.client-ip=40.107.20.84',
    'Authentication-Results: smtp.subspace.kernel.org; dmarc=pass (p=none dis=none) header.from=arm.com',
    'Authentication-Results: smtp.subspace.kernel.org; spf=pass smtp.mailfrom=arm.com',
    'Authentication-Results: smtp.subspace.kernel.org; dkim=pass (1024-bit key) header.d=arm.com header.i=@arm.com header.b="Vsosqfuw"; dkim=pass (1024-bit key) header.d=arm.com header.i=@arm.com header.b="Vsosqfuw"',
  ]);
  const same = recomputed({ arc: 'fail', ip: '40.107.20.84', dkim: [{ domain: 'arm.com', selector: 'selector1', b: 'VsosqfuwAAA', result: 'pass' }, { domain: 'arm.com', selector: 'selector1', b: 'VsosqfuwBBB', result: 'pass' }] });
  assert.deepEqual(compareStoredResults(s, same), []);
  // both signatures share the b= prefix: each stored result takes one, so one failure is one difference
  const oneFails = compareStoredResults(s, { ...same, dkim: [same.dkim[0], { ...same.dkim[1], result: 'fail' }] });
  assert.equal(oneFails.length, 1);
  assert.equal(oneFails[0].header, 3);
  assert.equal(oneFails[0].recomputed, 'fail');
  // the SPF header has no IP; the same receiver's arc= result names it
  const spf = compareStoredResults(s, { ...same, spf: 'none', ip: '40.107.20.84' });
  assert.match(spf[0].note, /says spf=pass but it is none now: for the same IP 40\.107\.20\.84, the SPF record/);
  const arc = compareStoredResults(s, { ...same, arc: 'pass' });
  assert.equal(arc.length, 1);
  assert.equal(arc[0].header, 0);
  assert.match(arc[0].note, /says arc=fail but it is pass now/);
});

test('signatures matched by header.b prefix, then d= and s=; a missing one is named', () => {
  const s = stored([`Authentication-Results: mx.example.net; dkim=pass header.d=example.org header.s=a header.b=${B2.slice(0, 8)}; dkim=pass header.d=esp.example header.b=${B1.slice(0, 8)}; dkim=pass header.d=gone.example header.s=x`]);
  const d = compareStoredResults(
    s,
    recomputed({
      dkim: [
        { domain: 'esp.example', selector: 'k1', b: B1, result: 'fail' },
        { domain: 'example.org', selector: 'a', b: B2, result: 'pass' },
      ],
    }),
  );
  assert.deepEqual(
    d.map((x) => [x.stored, x.recomputed]),
    [
      ['pass', 'fail'],
      ['pass', 'absent'],
    ],
  );
  assert.match(d[0].note, /for d=esp\.example but the signature no longer verifies/);
  assert.match(d[1].note, /dkim=pass for d=gone\.example s=x, but no such signature is in the message now: it was removed or rewritten/);
});

test('dkim=none stored while the message now carries signatures', () => {
  const s = stored(['Authentication-Results: dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=mediatek.com;']);
  const d = compareStoredResults(s, recomputed({ dkim: [{ domain: 'mediatek.com', b: B1, result: 'pass' }], dmarc: 'pass' }));
  assert.equal(d.length, 2);
  assert.match(d[0].note, /^the receiver that wrote Authentication-Results without an authserv-id \(Microsoft’s form\) saw no DKIM signature, but the message now has 1 \(d=mediatek\.com\): they were added after/);
  assert.equal(d[1].method, 'dmarc');
  assert.match(d[1].note, /says dmarc=none but it is pass now/);
});

test('Received-SPF: a duplicate of the A-R result is said once; identity=helo is not the MAIL FROM result', () => {
  const s = stored([
    ...FORWARDED,
    'Received-SPF: none (mx.example: domain of h.example does not designate 203.0.113.7 as permitted sender) receiver=mx.example; identity=helo; client-ip=203.0.113.7 helo=h.example',
  ]);
  const d = compareStoredResults(s, recomputed({ spf: 'fail', dkim: [{ domain: 'example.org', b: B1, result: 'pass' }], ip: '203.0.113.7' }));
  assert.deepEqual(d.map((x) => [x.method, x.header]), [['spf', 0]]);
  const only = stored(['Received-SPF: Pass (protection.outlook.com: domain of arm.com designates 63.35.35.123 as permitted sender) receiver=protection.outlook.com; client-ip=63.35.35.123; helo=x.example; pr=C']);
  const o = compareStoredResults(only, recomputed({ spf: 'fail', ip: '40.107.20.84' }));
  assert.equal(o.length, 1);
  assert.match(o[0].note, /^the receiver protection\.outlook\.com says spf=pass but it is fail now: the receiver saw SPF from a different IP \(63\.35\.35\.123;/);
});

test('not evaluated here; ARC-Authentication-Results are not compared', () => {
  const s = stored(['ARC-Authentication-Results: i=1; mx.google.com; spf=pass smtp.mailfrom=x@example.org', 'Authentication-Results: mx.example.net; spf=pass (sender IP is 192.0.2.5) smtp.mailfrom=example.org']);
  const d = compareStoredResults(s, recomputed({ spf: null }));
  assert.equal(d.length, 1);
  assert.equal(d[0].header, 1);
  assert.equal(d[0].recomputed, 'not evaluated');
  assert.match(d[0].note, /says spf=pass for 192\.0\.2\.5; SPF was not recomputed here because no client IP is known/);
});

test('the stored client IP comes from properties or the comment', () => {
  const [a, b, c] = stored([
    'Authentication-Results: x; spf=pass smtp.client-ip=2001:db8::1',
    'Authentication-Results: x; spf=neutral (google.com: 209.85.220.41 is neither permitted nor denied by best guess record for domain of a@tr.ee) smtp.mailfrom=a@tr.ee',
    'Authentication-Results: x; spf=pass smtp.mailfrom=a@b.example',
  ]);
  assert.equal(storedClientIp(a.results[0]), '2001:db8::1');
  assert.equal(storedClientIp(b.results[0]), '209.85.220.41');
  assert.equal(storedClientIp(c.results[0]), undefined);
});
