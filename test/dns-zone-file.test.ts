// RFC 1035 master-file parsing for what-if zones: every supported feature, every error by line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadZones, parseZone, parseZoneLenient, ZoneSyntaxError } from '../electron/engine/dns/zone-file.ts';

const zone = `$ORIGIN example.com.
$TTL 600
@            IN  TXT   "v=spf1 include:_spf.example.net -all"   ; the SPF record
@                MX    10 mx1          ; relative exchange
                 MX    20 mx2.example.net.
www          300 IN A  192.0.2.10
www          AAAA      2001:DB8::10
mail         IN 3600 CNAME www
sel._domainkey TXT ( "v=DKIM1; k=rsa; "
                     "p=MIIBIjAN" )  ; a key split over lines
quoted       TXT "say \\"hi\\"; not a comment" "caf\\195\\169"
words        TXT one two
abs.other.org. 1h30m TXT "elsewhere"
_dmarc.example.com. TXT "v=DMARC1; p=reject"
1.2.0.192.in-addr.arpa. PTR www
sub          NS ns1.example.net.
`;

test('a full zone: $ORIGIN, $TTL, @, relative and absolute names, TTL/class in either order, continuation', () => {
  const records = parseZone(zone);
  const got = records.map((r) => [r.name, r.ttl, r.record.type, r.record.data, r.line]);
  assert.deepEqual(got, [
    ['example.com', 600, 'TXT', ['v=spf1 include:_spf.example.net -all'], 3],
    ['example.com', 600, 'MX', { preference: 10, exchange: 'mx1.example.com' }, 4],
    ['example.com', 600, 'MX', { preference: 20, exchange: 'mx2.example.net' }, 5],
    ['www.example.com', 300, 'A', '192.0.2.10', 6],
    ['www.example.com', 600, 'AAAA', '2001:db8::10', 7],
    ['mail.example.com', 3600, 'CNAME', 'www.example.com', 8],
    ['sel._domainkey.example.com', 600, 'TXT', ['v=DKIM1; k=rsa; ', 'p=MIIBIjAN'], 9],
    ['quoted.example.com', 600, 'TXT', ['say "hi"; not a comment', 'café'], 11],
    ['words.example.com', 600, 'TXT', ['one', 'two'], 12],
    ['abs.other.org', 5400, 'TXT', ['elsewhere'], 13],
    ['_dmarc.example.com', 600, 'TXT', ['v=DMARC1; p=reject'], 14],
    ['1.2.0.192.in-addr.arpa', 600, 'PTR', 'www.example.com', 15],
    ['sub.example.com', 600, 'NS', 'ns1.example.net', 16],
  ]);
});

test('the zone name is the origin when there is no $ORIGIN; without either, names are relative to the root', () => {
  assert.deepEqual(
    parseZone('@ TXT "a"\nx TXT "b"', { name: 'Example.ORG.' }).map((r) => r.name),
    ['example.org', 'x.example.org'],
  );
  assert.deepEqual(parseZone('x.example TXT "b"').map((r) => r.name), ['x.example']);
  assert.equal(parseZone('x TXT "b"').at(0)!.ttl, 3600);
});

test('a zone named by a file path (the CLI) is not an origin, but errors still name it', () => {
  assert.deepEqual(parseZone('x.example TXT "b"', { name: '/tmp/my zones/example.zone' }).map((r) => r.name), ['x.example']);
  assert.throws(() => parseZone('@ TXT "b"', { name: '/tmp/a.zone' }), /^ZoneSyntaxError: zone \/tmp\/a\.zone, line 1: "@" needs an origin/);
});

test('a relative $ORIGIN is appended to the current origin', () => {
  const r = parseZone('$ORIGIN sub\nhost A 192.0.2.1', { name: 'example.com' });
  assert.equal(r[0]!.name, 'host.sub.example.com');
});

test('a 255-byte string is fine, one byte more is an error telling how to split it', () => {
  assert.equal(parseZone(`x. TXT "${'a'.repeat(255)}"`)[0]!.record.data.toString().length, 255);
  assert.throws(
    () => parseZone(`x. TXT "${'a'.repeat(250)}é${'b'.repeat(4)}"`),
    (e: unknown) => e instanceof ZoneSyntaxError && e.line === 1 && /TXT string of 256 bytes.*split it into strings of at most 255 bytes/.test(e.message),
  );
});

test('unquoted TXT words are separate strings, with a warning in lenient mode only', () => {
  const { records, diagnostics } = parseZoneLenient('x. TXT v=spf1 -all');
  assert.deepEqual(records[0]!.record.data, ['v=spf1', '-all']);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.severity, 'warning');
  assert.match(diagnostics[0]!.message, /quote the value/);
  assert.doesNotThrow(() => parseZone('x. TXT v=spf1 -all'));
});

/** Each bad zone, the line the error must be on, and what it must say. */
const errors: [string, string, number, RegExp][] = [
  ['unsupported type', 'a. TXT "ok"\nb. SOA ns. host. 1 2 3 4 5', 2, /record type SOA is not supported/],
  ['unknown directive', '$FOO bar', 1, /unknown directive \$FOO/],
  ['$INCLUDE', '$INCLUDE other.zone', 1, /\$INCLUDE is not supported/],
  ['bad $TTL', '$TTL soon', 1, /\$TTL "soon" is not a TTL/],
  ['unclosed quote', 'a. TXT "ok"\nb. TXT "open', 2, /quoted string is not closed/],
  ['unclosed parenthesis', 'a. TXT "ok"\nb. TXT ( "x"\n "y"\n', 2, /"\(" opened on line 2 is never closed/],
  ['stray parenthesis', 'a. TXT "x" )', 1, /"\)" without an opening "\("/],
  ['bad IPv4', '\n\na. A 192.0.2.300', 3, /"192\.0\.2\.300" is not an IPv4 address/],
  ['bad IPv6', 'a. AAAA 192.0.2.1', 1, /not an IPv6 address/],
  ['two addresses', 'a. A 192.0.2.1 192.0.2.2', 1, /A takes one IPv4 address, found 2 values/],
  ['MX without exchange', 'a. MX 10', 1, /MX takes a preference and an exchange, found 1/],
  ['MX bad preference', 'a. MX ten mx.', 1, /MX preference "ten"/],
  ['no type', 'a. 300 IN', 1, /has no type/],
  ['class CH', 'a. CH TXT "x"', 1, /class CH is not supported/],
  ['indented first line', '  TXT "x"', 1, /reuses the previous owner name, but there is none/],
  ['label too long', `${'l'.repeat(64)}.example. TXT "x"`, 1, /label longer than 63/],
  ['empty label', 'a..example. TXT "x"', 1, /empty label/],
  ['bad escape', 'a. TXT "\\300"', 1, /escape \\300 is not a byte/],
  ['CNAME and other data', 'a.example. CNAME b.example.\na.example. TXT "x"', 2, /has a CNAME \(line 1\), so it cannot have other records/],
  ['quoted owner', '"a" TXT "x"', 1, /expected an owner name, got the quoted string/],
  ['TXT without strings', 'a. TXT', 1, /TXT needs at least one string/],
  ['huge TTL', 'a. 9999999999 TXT "x"', 1, /larger than 2147483647/],
];

for (const [title, text, line, message] of errors) {
  test(`error: ${title} (line ${line})`, () => {
    assert.throws(
      () => parseZone(text, { name: 'z.test' }),
      (e: unknown) => {
        assert.ok(e instanceof ZoneSyntaxError, String(e));
        assert.equal(e.line, line);
        assert.match(e.message, message);
        assert.equal(e.zone, 'z.test');
        assert.equal(e.code, 'bad-zone');
        assert.ok(e.message.startsWith(`zone z.test, line ${line}: `), e.message);
        return true;
      },
    );
  });
}

test('error: "@" with no zone name and no $ORIGIN', () => {
  assert.throws(() => parseZone('\n@ TXT "x"'), (e: unknown) => e instanceof ZoneSyntaxError && e.line === 2 && e.zone === undefined && /^line 2: "@" needs an origin/.test(e.message));
});

test('lenient parsing keeps the good records and reports every error by line', () => {
  const { records, diagnostics } = parseZoneLenient('a. TXT "ok"\nb. A nope\nc. TXT "unclosed\nd. TXT "fine"\ne. SRV 0 0 5 x.');
  assert.deepEqual(records.map((r) => r.name), ['a', 'd']);
  assert.deepEqual(diagnostics.map((d) => [d.line, d.severity]), [[2, 'error'], [3, 'error'], [5, 'error']]);
});

test('loadZones builds one store for the overlay and names the zone in errors', () => {
  const store = loadZones([
    { name: 'one.test', text: '@ TXT "v=spf1 -all"' },
    { name: 'two.test', text: 'www A 192.0.2.1' },
  ]);
  assert.deepEqual(store.lookup('one.test', 'TXT').records, [{ type: 'TXT', data: ['v=spf1 -all'] }]);
  assert.deepEqual(store.lookup('www.two.test', 'A').records, [{ type: 'A', data: '192.0.2.1' }]);
  assert.throws(() => loadZones([{ name: 'bad.test', text: '\nx BOGUS 1' }]), /^ZoneSyntaxError: zone bad.test, line 2: record type BOGUS is not supported/);
});
