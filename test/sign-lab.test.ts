import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dkimVerify } from 'mailauth';
import { generateKey, type SigningKey } from '../electron/engine/keys/dkim-key.ts';
import { signMessage, SigningError, CANONICALIZATIONS } from '../electron/engine/signing/sign-message.ts';
import { decide, parseRules, RulesError, alignment } from '../electron/engine/signing/signing-rules.ts';
import { arcSeal } from '../electron/engine/signing/arc-seal.ts';
import { roundTrip } from '../electron/engine/signing/round-trip.ts';
import { createEngine } from '../electron/engine/engine.ts';
import { plainMessage } from './helpers/signed-message.ts';

const rsa = await generateKey({ domain: 'example.com', selector: 'r1' });
const ed = await generateKey({ domain: 'example.com', selector: 'e1', type: 'ed25519' });
const arcKey = await generateKey({ domain: 'forwarder.test', selector: 'arc' });
const T = new Date('2026-11-24T10:00:01Z');
const engine = createEngine({ clock: () => new Date('2026-11-24T10:05:00Z') });

function resolverFor(...keys: SigningKey[]) {
  return async (name: string) => {
    const k = keys.find((x) => x.info.dnsName === name);
    if (k) return [[k.info.dnsValue]];
    throw Object.assign(new Error(`no ${name}`), { code: 'ENOTFOUND' });
  };
}
async function verify(bytes: Buffer | string, ...keys: SigningKey[]) {
  const res = await dkimVerify(bytes, { resolver: resolverFor(...keys), strict: true, curTime: new Date('2026-11-24T10:05:00Z') } as never);
  return res.results.map((r) => ({ result: r.status.result, s: r.selector, h: r.signingHeaders?.keys }));
}
const hTag = (header: string) => /\bh=([^;]*)/.exec(header.replace(/\r\n\s*/g, ''))![1].split(':').map((h) => h.trim().toLowerCase());

test('dual RSA + Ed25519 signatures in one pass, each verifying', async () => {
  const res = await signMessage(Buffer.from(plainMessage()), { keys: [{ key: rsa }, { key: ed }], signTime: T });
  assert.deepEqual(res.signatures.map((s) => [s.selector, s.algorithm]), [['r1', 'rsa-sha256'], ['e1', 'ed25519-sha256']]);
  assert.deepEqual((await verify(res.signed, rsa, ed)).map((r) => r.result), ['pass', 'pass']);
  // the default list signs the RFC 6376 §5.4.1 fields that are present, and never trace fields
  const h = hTag(res.signatures[0].header);
  for (const f of ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type']) assert.ok(h.includes(f), f);
  assert.ok(!h.includes('received') && !h.includes('return-path'));
  assert.match(res.signatures[0].header, new RegExp(`\\bt=${T.getTime() / 1000};`));
  assert.ok(res.warnings.every((w) => w.severity !== 'error'));
});

test('every canonicalization, with l=, i= and x=, verifies', async () => {
  for (const c of CANONICALIZATIONS) {
    const res = await signMessage(Buffer.from(plainMessage()), {
      keys: [{ key: rsa }], canonicalization: c, bodyLength: true, identity: 'news@mail.example.com', signTime: T, expires: new Date(T.getTime() + 7 * 86400e3),
    });
    const sig = res.signatures[0].header.replace(/\r\n\s*/g, ' ');
    assert.match(sig, new RegExp(`c=${c};`));
    assert.match(sig, /\bl=\d+;/);
    assert.match(sig, /\bi=news@mail\.example\.com;/);
    assert.match(sig, new RegExp(`\\bx=${T.getTime() / 1000 + 7 * 86400};`));
    assert.deepEqual((await verify(res.signed, rsa)).map((r) => r.result), ['pass'], c);
    assert.ok(res.warnings.some((w) => w.code === 'body-length'));
  }
  // i= outside d= is refused (RFC 6376 §3.5)
  await assert.rejects(signMessage(Buffer.from(plainMessage()), { keys: [{ key: rsa }], identity: 'x@other.test' }), SigningError);
});

test('l= signs the body length: appended text still verifies (the risk the warning names)', async () => {
  const res = await signMessage(Buffer.from(plainMessage()), { keys: [{ key: rsa }], bodyLength: true, signTime: T });
  const appended = Buffer.concat([res.signed, Buffer.from('Click here: http://evil.test/\r\n')]);
  assert.deepEqual((await verify(appended, rsa)).map((r) => r.result), ['pass']);
  const without = await signMessage(Buffer.from(plainMessage()), { keys: [{ key: rsa }], signTime: T });
  assert.deepEqual((await verify(Buffer.concat([without.signed, Buffer.from('more\r\n')]), rsa)).map((r) => r.result), ['fail']);
});

test('over-signing: an added From or Reply-To breaks the signature; without it, it does not', async () => {
  const msg = Buffer.from(plainMessage());
  const over = await signMessage(msg, { keys: [{ key: rsa }, { key: ed }], overSign: ['From', 'Reply-To'], signTime: T });
  const h = hTag(over.signatures[0].header);
  assert.equal(h.filter((x) => x === 'from').length, 2, 'From listed once more than it occurs');
  assert.equal(h.filter((x) => x === 'reply-to').length, 1, 'absent Reply-To listed once');
  assert.deepEqual((await verify(over.signed, rsa, ed)).map((r) => r.result), ['pass', 'pass']);
  const addFrom = (b: Buffer) => Buffer.from(b.toString('latin1').replace('\r\nFrom: Alice', '\r\nFrom: Mallory <m@evil.test>\r\nFrom: Alice'), 'latin1');
  const addReplyTo = (b: Buffer) => Buffer.from(b.toString('latin1').replace('\r\nTo: Bob', '\r\nReply-To: m@evil.test\r\nTo: Bob'), 'latin1');
  assert.deepEqual((await verify(addFrom(over.signed), rsa, ed)).map((r) => r.result), ['fail', 'fail']);
  assert.deepEqual((await verify(addReplyTo(over.signed), rsa, ed)).map((r) => r.result), ['fail', 'fail']);
  const plain = await signMessage(msg, { keys: [{ key: rsa }], signTime: T });
  assert.deepEqual((await verify(addReplyTo(plain.signed), rsa)).map((r) => r.result), ['pass'], 'not over-signed: an added Reply-To goes unnoticed');
});

test('header review: From unsigned is an error, RFC 8058 one-click and List-* risks are warned', async () => {
  const msg = Buffer.from(plainMessage({ extraHeaders: ['List-Unsubscribe: <https://example.com/u/1>', 'List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Id: <news.example.com>'] }));
  await assert.rejects(signMessage(msg, { keys: [{ key: rsa }], headers: ['To', 'Subject'] }), (e: SigningError) => e.code === 'from-not-signed' && /RFC 6376/.test(e.message));
  await assert.rejects(signMessage(Buffer.from('To: b@example.com\r\nSubject: x\r\n\r\nbody\r\n'), { keys: [{ key: rsa }] }), (e: SigningError) => e.code === 'no-from');
  const unsignedPost = await signMessage(msg, { keys: [{ key: rsa }], headers: ['From', 'To', 'Subject', 'List-Unsubscribe'] });
  assert.ok(unsignedPost.warnings.some((w) => w.code === 'one-click-unsigned' && /RFC 8058/.test(w.message)));
  const ok = await signMessage(msg, { keys: [{ key: rsa }] });
  assert.ok(!ok.warnings.some((w) => w.code === 'one-click-unsigned'), 'the default list signs both');
  const listOver = await signMessage(msg, { keys: [{ key: rsa }], overSign: ['From', 'List-Id', 'List-Post'] });
  assert.ok(listOver.warnings.some((w) => w.code === 'list-oversigned' && /List-Id, List-Post/.test(w.message)));
  const edOnly = await signMessage(msg, { keys: [{ key: ed }] });
  assert.ok(edOnly.warnings.some((w) => w.code === 'ed25519-only'));
});

test('rules: a From-domain rule signs a bounce (empty envelope sender) and aligns', () => {
  const keys = [rsa.info, ed.info];
  const rules = parseRules(JSON.stringify({ rules: [
    { name: 'staff', match: { authUser: 'alice' }, sign: [{ domain: 'example.com', selector: 'e1' }] },
    { name: 'brand', match: { fromDomain: '*.example.com' }, sign: 'from-domain' },
    { name: 'main', match: { fromDomain: 'example.com' }, sign: 'from-domain' },
    { name: 'bounces', match: { envelopeDomain: 'bounce.example.net' }, sign: [{ keyId: rsa.info.id }] },
    { name: 'anything else', match: { fromDomain: '*' }, sign: 'from-domain' },
  ] }));
  const bounce = decide(rules, { fromDomain: 'example.com', envelopeSender: '' }, keys);
  assert.equal(bounce.matched?.name, 'main');
  assert.deepEqual(bounce.keys.map((k) => k.selector).sort(), ['e1', 'r1']);
  assert.ok(bounce.alignment.every((a) => a.strict && a.relaxed));
  assert.deepEqual(bounce.problems, []);

  const sub = decide(rules, { fromDomain: 'news.example.com' }, keys);
  assert.equal(sub.matched?.name, 'brand');
  assert.ok(sub.keys.length > 0, 'falls back to the organizational domain\'s keys');
  assert.ok(sub.alignment.every((a) => a.relaxed && !a.strict));

  assert.equal(decide(rules, { fromDomain: 'example.com', authUser: 'alice' }, keys).keys[0].selector, 'e1');
  const env = decide(rules, { fromDomain: 'partner.test', envelopeSender: 'b@bounce.example.net' }, keys);
  assert.equal(env.matched?.name, 'bounces');
  assert.equal(env.alignment[0].relaxed, false, 'd=example.com does not align with From partner.test');

  const none = decide(rules, { fromDomain: 'nokey.test' }, keys);
  assert.equal(none.matched?.name, 'anything else');
  assert.deepEqual(none.keys, []);
  assert.match(none.problems[0], /no key for nokey\.test/);

  const unknownRef = decide([{ match: { fromDomain: '*' }, sign: [{ keyId: 'k_missing' }] }], { fromDomain: 'example.com' }, keys);
  assert.match(unknownRef.problems[0], /k_missing.*not in the key store/);
  assert.match(decide([], { fromDomain: 'example.com' }, keys).problems[0], /no rule matched/);
  // public-suffix aware: two customers of a shared suffix do not align
  assert.equal(alignment('k', 'alice.github.io', 'bob.github.io').relaxed, false);
  assert.equal(alignment('k', 'mail.example.co.uk', 'example.co.uk').relaxed, true);
});

test('rules file errors name the rule and the problem', () => {
  assert.throws(() => parseRules('{'), RulesError);
  assert.throws(() => parseRules('{"rules": [{"sign": "from-domain"}]}'), /rule 1 has no "match"/);
  assert.throws(() => parseRules('{"rules": [{"match": {"from": "x"}, "sign": "from-domain"}]}'), /unknown match condition "from"/);
  assert.throws(() => parseRules('{"rules": [{"match": {"fromDomain": "x"}, "sign": []}]}'), /"sign" must be/);
});

test('ARC: first set i=1 cv=none, a second hop i=2 cv=pass; the engine validates the chain', async () => {
  const signed = (await signMessage(Buffer.from(plainMessage()), { keys: [{ key: rsa }], signTime: T })).signed;
  const first = await arcSeal(signed, { key: arcKey, authResults: 'Authentication-Results: mx.forwarder.test; dkim=pass header.d=example.com', signTime: T });
  assert.equal(first.instance, 1);
  assert.equal(first.cv, 'none');
  assert.match(first.headers[2], /^ARC-Authentication-Results: i=1; mx\.forwarder\.test; dkim=pass header\.d=example\.com$/);
  assert.match(first.headers[1], /^ARC-Message-Signature: i=1;/);
  const second = await arcSeal(first.sealed, { key: arcKey, authResults: 'mx2.forwarder.test; arc=pass', cv: 'pass', signTime: T });
  assert.equal(second.instance, 2);
  assert.equal(second.cv, 'pass');
  await assert.rejects(arcSeal(first.sealed, { key: arcKey, authResults: 'x; arc=pass', signTime: T }), /cv value is required/);
  const rt = await roundTrip(engine, { signed: second.sealed, made: [{ domain: 'example.com', selector: 'r1' }], keys: [rsa.info, arcKey.info], arcSealed: true, at: new Date('2026-11-24T10:05:00Z') });
  assert.equal(rt.arc?.result, 'pass', rt.arc?.reason);
  assert.equal(rt.pass, true);
});

test('round trip: passes against the keys\' what-if zone, fails without the record', async () => {
  const res = await signMessage(Buffer.from(plainMessage()), { keys: [{ key: rsa }, { key: ed }], signTime: T });
  const made = res.signatures.map((s) => ({ domain: s.domain, selector: s.selector }));
  const at = new Date('2026-11-24T10:05:00Z');
  const ok = await roundTrip(engine, { signed: res.signed, made, keys: [rsa.info, ed.info], at });
  assert.equal(ok.pass, true);
  assert.deepEqual(ok.signatures.map((s) => s.result), ['pass', 'pass']);
  const missing = await roundTrip(engine, { signed: res.signed, made, keys: [rsa.info], at });
  assert.equal(missing.pass, false);
  assert.equal(missing.signatures[0].result, 'pass');
  assert.notEqual(missing.signatures[1].result, 'pass');
  // rotation rehearsal: old and new selectors side by side, both verifying
  const next = await generateKey({ domain: 'example.com', selector: 'r2' });
  const both = await signMessage(Buffer.from(plainMessage()), { keys: [{ key: rsa }, { key: next }], signTime: T });
  const rot = await roundTrip(engine, { signed: both.signed, made: both.signatures, keys: [rsa.info, next.info], at });
  assert.deepEqual(rot.signatures.map((s) => [s.selector, s.result]), [['r1', 'pass'], ['r2', 'pass']]);
});
