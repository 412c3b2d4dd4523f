// The CLI bundle's shims (scripts/cli-shims/, put in place by scripts/build-cli.mjs) answer
// exactly as the modules they stand for, value by value, and the Joi one loads no Joi on the path
// it exists for.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { repoRoot } from './helpers/paths.ts';
import { makeKey } from './helpers/signed-message.ts';
import { runProbe } from './helpers/probe.ts';

const require = createRequire(import.meta.url);
const joiShimFile = path.join(repoRoot, 'scripts/cli-shims/joi.cjs');
const netShimFile = path.join(repoRoot, 'scripts/cli-shims/net.cjs');
interface Schema {
  validate(value: unknown, opts?: object): { value?: unknown; error?: Error & { details?: unknown[] } };
}
interface JoiLike {
  string(): Record<string, (...args: unknown[]) => Schema>;
}
const realJoi = createRequire(require.resolve('mailauth'))('joi') as JoiLike; // the Joi mailauth uses
const shimJoi = require(joiShimFile) as JoiLike;
const netShim = require(netShimFile) as typeof net;

/** What a caller can see of a validation: success, the value, and Joi's error. */
const seen = (r: ReturnType<Schema['validate']>) => ({ error: r.error?.message, details: r.error?.details, value: r.value, keys: Object.keys(r).sort() });

function base64Cases(): unknown[] {
  const cases: unknown[] = ['', 'A', 'AB', 'ABC', 'ABCD', 'AB==', 'ABC=', 'A===', 'AB=', 'ABCD=', '====', 'AB==CD', 'QU JD', ' QUJD', 'QUJD\n', 'QUJD\r\n'];
  cases.push('QUJD-_', 'QUJD+/', 'QUJD\u00e9', 'QUJD\u0000', 'null', 'undefined');
  cases.push(undefined, null, 0, 1234, true, {}, [], Buffer.from('QUJD'), new String('QUJD'));
  for (let n = 0; n < 40; n++) {
    const b64 = randomBytes(n).toString('base64');
    cases.push(b64, b64.replace(/=+$/, ''), b64.replace(/=+$/, '') + '=', b64 + '=', b64.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  cases.push(makeKey('rsa', 1024).publicKeyB64, makeKey('rsa', 2048).publicKeyB64, makeKey('ed25519').publicKeyB64);
  return cases;
}

test("joi shim: string().base64({ paddingRequired: false }), mailauth's key check, answers as Joi does for every value", () => {
  const real = realJoi.string().base64({ paddingRequired: false });
  const shim = shimJoi.string().base64({ paddingRequired: false });
  const cases = base64Cases();
  let valid = 0;
  for (const value of cases) {
    const expected = seen(real.validate(value));
    assert.deepEqual(seen(shim.validate(value)), expected, `value ${JSON.stringify(value)}`);
    if (!expected.error) valid++;
  }
  assert.ok(valid > 40 && valid < cases.length - 20, `both kinds are tried (${valid} valid of ${cases.length})`);
  // validate options go to Joi itself
  assert.deepEqual(seen(shim.validate('QUJD', { convert: false })), seen(real.validate('QUJD', { convert: false })));
});

test('joi shim: the other schemas mailauth builds (SPF domain, BIMI https URI) and other base64 options are real Joi', () => {
  const pairs: [Schema, Schema, unknown[]][] = [
    [
      realJoi.string().domain({ allowUnicode: false, tlds: false }),
      shimJoi.string().domain({ allowUnicode: false, tlds: false }),
      ['example.com', 'mail.example.co.uk', 'localhost', 'exa mple.com', 'xn--bcher-kva.example', 'bücher.example', '-a.example', 'a..b', '', 'a.b.', 1],
    ],
    [
      realJoi.string().uri({ scheme: ['https'] }),
      shimJoi.string().uri({ scheme: ['https'] }),
      ['https://example.com/logo.svg', 'http://example.com/logo.svg', 'https:/', 'not a url', ''],
    ],
    [realJoi.string().base64(), shimJoi.string().base64(), ['QUJD', 'QUI', 'QUI=', '']],
    [realJoi.string().base64({ paddingRequired: false, urlSafe: true }), shimJoi.string().base64({ paddingRequired: false, urlSafe: true }), ['QU-_', 'QU+/']],
  ];
  for (const [real, shim, values] of pairs) {
    for (const value of values) assert.deepEqual(seen(shim.validate(value)), seen(real.validate(value)), JSON.stringify(value));
  }
});

test("joi shim: a valid key loads no Joi; the first value Joi must judge loads it", () => {
  const probe = [
    `const shim = require(${JSON.stringify(joiShimFile)});`,
    "const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/joi/'));",
    'const schema = shim.string().base64({ paddingRequired: false });',
    `const ok = schema.validate(${JSON.stringify(makeKey('rsa', 1024).publicKeyB64)});`,
    'const before = loaded();',
    "const bad = schema.validate('not base64!');",
    'console.log(JSON.stringify({ ok: !ok.error, before, bad: bad.error && bad.error.message, after: loaded() }));',
  ];
  assert.deepEqual(runProbe(probe), { ok: true, before: false, bad: '"value" must be a valid base64 string', after: true });
});

test('net shim: isIP answers as node:net for addresses, names and odd values; everything else is node:net', () => {
  const values: unknown[] = [
    '192.0.2.10', '0.0.0.0', '255.255.255.255', '256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4 ', '1.2.3.4:25', '[192.0.2.1]',
    '::', '::1', '2001:db8::1', '2001:DB8:0:0:8:800:200C:417A', '::ffff:192.0.2.1', 'fe80::1%eth0', '[::1]', ':', 'a:b', '2001:db8::g',
    'example.com', 'mail.example.com', '', ' ', 'localhost', 'xn--bcher-kva.example',
    undefined, null, 1234, 0, { toString: () => '192.0.2.1' }, { toString: () => '::1' }, ['10.0.0.1'],
    '1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.04', '1.2.3.0', '1.2.3.255', '1.2.3.256', '999.1.1.1', '00.1.1.1', '1.2.3.4\n',
    '\u0661.\u0662.\u0663.\u0664', '1.2.3.0x4', '+1.2.3.4', '1e1.2.3.4', '1.2.3.1000', '0001.2.3.4', '10.20.30.40', '199.249.250.251',
  ];
  // and strings of digits and dots, every length up to 16 (what a hand-written check can get wrong)
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let k = 0; k < 4000; k++) values.push(Array.from({ length: rand(17) }, () => '0123456789..'[rand(12)]).join(''));
  for (const v of values) {
    assert.equal(netShim.isIP(v as string), net.isIP(v as string), `isIP(${String(v)})`);
    assert.equal(netShim.isIPv4(v as string), net.isIPv4(v as string), `isIPv4(${String(v)})`);
  }
  for (const f of ['isIP', 'isIPv4'] as const) {
    assert.throws(() => net[f](Symbol('x') as never), TypeError);
    assert.throws(() => netShim[f](Symbol('x') as never), TypeError);
  }
  // the shim lists node:net's exports without loading it: the list must be this Node's
  assert.deepEqual(Object.keys(netShim).sort(), Object.keys(net).sort());
  for (const k of Object.keys(net)) if (k !== 'isIP' && k !== 'isIPv4') assert.equal((netShim as never)[k], (net as never)[k], k);
  assert.equal('Socket' in netShim, true);
});

test('net shim: IPv4 and names are answered without loading node:net; IPv6 text and other exports load it', () => {
  const probe = [
    `const shim = require(${JSON.stringify(netShimFile)});`,
    "const loaded = () => process.moduleLoadList.includes('NativeModule net');",
    "const early = [shim.isIP('192.0.2.1'), shim.isIP('mail.example.com'), shim.isIPv4('10.0.0.1'), Object.keys(shim).length > 10, loaded()];",
    "const v6 = shim.isIP('2001:db8::1');",
    'console.log(JSON.stringify({ early, v6, after: loaded(), socket: typeof shim.Socket }));',
  ];
  assert.deepEqual(runProbe(probe), { early: [4, 0, true, true, false], v6: 6, after: true, socket: 'function' });
});
