// SPF record syntax, macros and address helpers (RFC 7208 §4.6, §5, §7).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSpfTerm, isSpfRecord, parseSpfRecord, parseSpfTerm, targetNameProblem } from '../electron/engine/spf/spf-terms.ts';
import { expandTokens, MacroSyntaxError, parseMacroString, type MacroContext } from '../electron/engine/spf/spf-macro.ts';
import { dottedIp, formatIp, ipInCidr, parseIp, reverseName } from '../electron/engine/spf/spf-ip.ts';

test('record selection: v=spf1 then a space or the end, case-insensitive', () => {
  assert.ok(isSpfRecord('v=spf1 -all'));
  assert.ok(isSpfRecord('V=SPF1'));
  assert.ok(!isSpfRecord('v=spf10 -all'));
  assert.ok(!isSpfRecord('v=spf1mx'));
  assert.ok(!isSpfRecord(' v=spf1 -all'));
});

test('terms: mechanisms, qualifiers, dual CIDR, modifiers', () => {
  const r = parseSpfRecord('v=spf1  ~a:mail.example.com/24//64 -mx ip6:2001:db8::/32 ?ptr exists:%{ir}.bl.example.com redirect=_spf.example.com x-note=%{d}  ');
  assert.equal(r.error, undefined);
  assert.deepEqual(
    r.terms.map((t) => [t.kind, t.name, t.qualifier]),
    [
      ['mechanism', 'a', '~'],
      ['mechanism', 'mx', '-'],
      ['mechanism', 'ip6', '+'],
      ['mechanism', 'ptr', '?'],
      ['mechanism', 'exists', '+'],
      ['modifier', 'redirect', undefined],
      ['modifier', 'unknown', undefined],
    ],
  );
  assert.equal(r.terms[0]!.domainSpec, 'mail.example.com');
  assert.equal(r.terms[0]!.cidr4, 24);
  assert.equal(r.terms[0]!.cidr6, 64);
  assert.equal(r.terms[2]!.prefix, 32);
  assert.equal(r.terms[6]!.modifierName, 'x-note');
});

test('syntax errors the suite does not cover', () => {
  for (const [term, why] of [
    ['a:192.0.2.1', /top-level label.*all digits/],
    ['ip4:192.0.2.0/33', /prefix length/],
    ['ip4:192.0.2', /ip4:/],
    ['ip6:2001:db8::/129', /prefix length/],
    ['include', /needs a domain/],
    ['redirect:example.com', /modifier/],
    ['all:x', /no value/],
    ['a:%{c}.example.com', /only in explanation/],
    ['exists:%{i0}.example.com', /at least 1/],
    ['foo', /unknown mechanism/],
    ['1x=y', /modifier name/],
  ] as const) {
    const t = parseSpfTerm(term);
    assert.match(t.error ?? '(no error)', why, term);
  }
  assert.match(parseSpfRecord('v=spf1 exp=a.example.com exp=b.example.com -all').error ?? '', /exp= appears 2 times/);
  assert.equal(parseSpfRecord('v=spf1 unknown=%{c} -all').error, undefined, 'unknown modifiers are never expanded');
});

const ctx: MacroContext = {
  sender: 'strong-bad@email.example.com',
  domain: 'email.example.com',
  ip: parseIp('192.0.2.3')!,
  helo: 'mx.example.org',
  receivingHost: 'mx.example.net',
  now: new Date('2025-01-01T00:00:00Z'),
};
const expand = (s: string, c: MacroContext = ctx, explain = false) => expandTokens(parseMacroString(s, { explain }), c);

test('macro expansion: the RFC 7208 §7.4 examples', () => {
  assert.equal(expand('%{s}'), 'strong-bad@email.example.com');
  assert.equal(expand('%{o}'), 'email.example.com');
  assert.equal(expand('%{d}'), 'email.example.com');
  assert.equal(expand('%{d4}'), 'email.example.com');
  assert.equal(expand('%{d3}'), 'email.example.com');
  assert.equal(expand('%{d2}'), 'example.com');
  assert.equal(expand('%{d1}'), 'com');
  assert.equal(expand('%{dr}'), 'com.example.email');
  assert.equal(expand('%{d2r}'), 'example.email');
  assert.equal(expand('%{l}'), 'strong-bad');
  assert.equal(expand('%{l-}'), 'strong.bad');
  assert.equal(expand('%{lr}'), 'strong-bad');
  assert.equal(expand('%{lr-}'), 'bad.strong');
  assert.equal(expand('%{l1r-}'), 'strong');
  assert.equal(expand('%{ir}.%{v}._spf.%{d2}'), '3.2.0.192.in-addr._spf.example.com');
  assert.equal(expand('%{lr-}.lp._spf.%{d2}'), 'bad.strong.lp._spf.example.com');
  assert.equal(expand('%{lr-}.lp.%{ir}.%{v}._spf.%{d2}'), 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com');
  assert.equal(expand('%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}'), '3.2.0.192.in-addr.strong.lp._spf.example.com');
  assert.equal(expand('%{d2}.trusted-domains.example.net'), 'example.com.trusted-domains.example.net');
  const v6 = { ...ctx, ip: parseIp('2001:db8::cb01')! };
  assert.equal(expand('%{ir}.%{v}._spf.%{d2}', v6), '1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com');
});

test('macro expansion: escapes, URL-escaping of upper-case letters, exp-only letters', () => {
  assert.equal(expand('a%%b%_c%-d'), 'a%b c%20d');
  assert.equal(expand('%{S}', { ...ctx, sender: 'a b&c@example.com' }), 'a%20b%26c%40example.com');
  assert.equal(expand('%{c} %{r} %{t}', ctx, true), '192.0.2.3 mx.example.net 1735689600');
  assert.equal(expand('%{c}', { ...ctx, ip: parseIp('2001:DB8:0:0:1::1')! }, true), '2001:db8::1:0:0:1');
  assert.throws(() => parseMacroString('%{c}'), MacroSyntaxError);
  assert.throws(() => parseMacroString('50%'), MacroSyntaxError);
  assert.throws(() => parseMacroString('%{x}'), MacroSyntaxError);
  assert.throws(() => parseMacroString('a b'), MacroSyntaxError);
  assert.doesNotThrow(() => parseMacroString('a b', { explain: true }));
});

test('addresses: mapped IPv4, CIDR, reverse names', () => {
  assert.deepEqual(parseIp('::ffff:192.0.2.1'), { family: 4, bytes: [192, 0, 2, 1] });
  assert.equal(parseIp('::ffff:192.0.2.1', { unmap: false })!.family, 6);
  assert.equal(parseIp('192.0.2.256'), undefined);
  assert.equal(parseIp('fe80::1%eth0'), undefined);
  assert.ok(ipInCidr(parseIp('192.0.2.130')!, parseIp('192.0.2.128')!, 25));
  assert.ok(!ipInCidr(parseIp('192.0.2.127')!, parseIp('192.0.2.128')!, 25));
  assert.ok(ipInCidr(parseIp('2001:db8:ffff::1')!, parseIp('2001:db8::')!, 32));
  assert.ok(!ipInCidr(parseIp('2001:db9::1')!, parseIp('2001:db8::')!, 32));
  assert.ok(ipInCidr(parseIp('198.51.100.1')!, parseIp('192.0.2.1')!, 0));
  assert.ok(!ipInCidr(parseIp('2001:db8::1')!, parseIp('192.0.2.1')!, 0), 'families never match');
  assert.equal(reverseName(parseIp('192.0.2.3')!), '3.2.0.192.in-addr.arpa');
  assert.equal(dottedIp(parseIp('::1')!).length, 63);
  assert.equal(formatIp(parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')!), '2001:db8::1');
  assert.equal(formatIp(parseIp('::')!), '::');
});

test('target names after expansion', () => {
  assert.equal(targetNameProblem('mail.example.com'), undefined);
  assert.equal(targetNameProblem('macro%percent  space.example.com'), undefined, 'macros may produce spaces and percent signs');
  assert.match(targetNameProblem('example') ?? '', /single label/);
  assert.match(targetNameProblem('a..example.com') ?? '', /empty label/);
  assert.match(targetNameProblem(`${'a'.repeat(64)}.example.com`) ?? '', /63/);
  assert.match(targetNameProblem('host.example.123') ?? '', /top-level/);
});

test('describeSpfTerm explains each kind of term in plain words', () => {
  assert.match(describeSpfTerm('-all'), /every client.*fail/);
  assert.match(describeSpfTerm('include:_spf.example.com'), /SPF record of _spf\.example\.com.*pass/);
  assert.match(describeSpfTerm('a/24'), /own A.*\/24/);
  assert.match(describeSpfTerm('~mx:example.com'), /mail exchangers.*softfail/);
  assert.match(describeSpfTerm('ptr'), /not to use it/);
  assert.match(describeSpfTerm('ip4:192.0.2.0/24'), /192\.0\.2\.0\/24.*No DNS lookup/);
  assert.match(describeSpfTerm({ text: 'exists:%{i}.bl.example.com' }), /any A record.*macros/);
  assert.match(describeSpfTerm('redirect=_spf.example.com'), /If no mechanism matched/);
  assert.match(describeSpfTerm('exp=why.example.com'), /explanation/);
  assert.match(describeSpfTerm('foo=bar'), /Unknown modifier "foo": ignored/);
  assert.match(describeSpfTerm('a:192.0.2.1'), /Not valid SPF syntax/);
});
