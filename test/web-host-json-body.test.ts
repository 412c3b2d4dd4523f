// The web host's piecewise JSON encoder must give JSON.stringify's exact text (as UTF-8).
import test from 'node:test';
import assert from 'node:assert/strict';
import { jsonBytes } from '../electron/web-host/json-body.ts';
import { seededRandom } from './helpers/seeded-random.ts';

const same = (v: unknown, what: string) => {
  assert.equal(jsonBytes(v).toString('utf8'), JSON.stringify(v), what);
  // ascii: the same value to JSON.parse, in bytes 0x20-0x7E only
  const ascii = jsonBytes(v, { ascii: true });
  assert.ok(ascii.every((b) => b >= 0x20 && b < 0x7f), `${what}: ASCII`);
  assert.deepEqual(JSON.parse(ascii.toString('latin1')), JSON.parse(JSON.stringify(v)), `${what}: ascii`);
};

test('jsonBytes: the text of JSON.stringify for the shapes it takes apart and those it does not', () => {
  const long = 'é—\u2028"\\\n'.repeat(3000); // escapes, non-Latin-1 text, over the 4 KB "long" size
  same({ ok: true, value: { container: 'mbox', messages: [{ a: 1 }, { b: [1, 2, { c: long }] }] } }, 'an envelope');
  same({ ok: false, error: { code: 'too-large', message: 'x' } }, 'an error envelope');
  same([undefined, () => 1, Symbol('s'), null, 0, -0, NaN, Infinity, 'x'], 'array elements without JSON text are null');
  same({ u: undefined, f: () => 1, s: Symbol('s'), n: null, keep: 1 }, 'properties without JSON text are left out');
  same({ d: new Date(0), nested: { d: new Date(1), arr: [new Date(2), new Date(3)] } }, 'toJSON is called');
  same({ toJSON: () => ({ replaced: [1, 2] }) }, 'a toJSON at the top');
  same({ when: { toJSON: () => undefined }, also: 1 }, 'a toJSON giving undefined drops the property');
  same([[], {}, [1], [[1, 2], [3, 4]], { '': 1, 'a"b': 2, '\u2028': 3 }], 'empty and odd-keyed values');
  same({ list: Array.from({ length: 5000 }, (_, i) => ({ i, s: `s${i}`.repeat(i % 7) })) }, 'many short elements (pieces of ~64 KB)');
  same('x', 'a string');
  same('emoji 😀 and a lone surrogate \ud800 and DEL \u007f', 'characters past U+007E');
  same(42, 'a number');
  same(null, 'null');
  assert.throws(() => jsonBytes(undefined), /no JSON text/);
});

test('jsonBytes: random nested values', () => {
  const rand = seededRandom(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 4 || r < 0.3) return pick<unknown>([0, 1.5, -3, 'a', 'ü—\u0000\u001f"', '', true, false, null, undefined, 'x'.repeat(5000)]);
    if (r < 0.65) return Array.from({ length: Math.floor(rand() * 6) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(rand() * 6); i > 0; i--) o[pick(['a', 'b', 'messages', 'value', '日本', 'k' + i])] = value(depth + 1);
    return o;
  };
  for (let i = 0; i < 500; i++) {
    const v = { ok: true, value: value(0) };
    same(v, `case ${i}`);
  }
});
