// shared/visible-controls.ts: message and DNS text shown (in a terminal, in the inspector), never obeyed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showControls, showControlsDeep, showControlsKeepingLines } from '../shared/visible-controls.ts';

test('C0 controls show as control pictures, DEL as ␡, C1 and bidi controls as <U+XXXX>; tabs and printable text stay', () => {
  assert.equal(showControls('\x1b[31mred\x1b[0m'), '␛[31mred␛[0m');
  assert.equal(showControls('\x1b]0;title\x07'), '␛]0;title␇');
  assert.equal(showControls('a\rb\nc\x00d\x7fe'), 'a␍b␊c␀d␡e');
  assert.equal(showControls('\x9b31m'), '<U+009B>31m', 'the one-byte CSI of C1');
  assert.equal(showControls('paypal\u202Emoc.evil'), 'paypal<U+202E>moc.evil', 'right-to-left override');
  assert.equal(showControls('\u2066x\u2069\u200f\u061c'), '<U+2066>x<U+2069><U+200F><U+061C>');
  const plain = 'Grüße — 日本語 ✓\ttabbed';
  assert.equal(showControls(plain), plain);
});

test('showControlsKeepingLines keeps line breaks (CRLF becomes LF) and shows a lone CR', () => {
  assert.equal(showControlsKeepingLines('a;\r\n b;\n c\rd\x1b'), 'a;\n b;\n c␍d␛');
});

test('showControlsDeep: every string, keys too, nested in arrays; multi-line keys keep their lines; other values untouched', () => {
  const input = { subject: 'x\n\x1b', n: 3, ok: true, none: null, list: ['\x07', { deep: '\r' }], authenticationResults: 'h;\r\n dkim=pass', ['k\x1b']: 'v' };
  const out = showControlsDeep(input, new Set(['authenticationResults']));
  assert.deepEqual(out, { subject: 'x␊␛', n: 3, ok: true, none: null, list: ['␇', { deep: '␍' }], authenticationResults: 'h;\n dkim=pass', 'k␛': 'v' });
  assert.equal(input.subject, 'x\n\x1b', 'the input is not changed');
});

test('showControlsDeep hands back a clean value as it is; text blocks may hold CRLF, not a lone CR or ESC', () => {
  const clean = { subject: 'hello', list: [{ a: 'b' }], canonicalHeaders: 'from:a\r\nto:b\r\n' };
  assert.equal(showControlsDeep(clean, new Set(['canonicalHeaders'])), clean, 'the same object: nothing to show');
  assert.notEqual(showControlsDeep(clean), clean, 'CRLF outside a text block is shown');
  const dirty = showControlsDeep({ canonicalHeaders: 'from:a\rX\r\n\x1b' }, new Set(['canonicalHeaders']));
  assert.deepEqual(dirty, { canonicalHeaders: 'from:a␍X\n␛' });
});
