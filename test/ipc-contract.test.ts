import test from 'node:test';
import assert from 'node:assert/strict';
import {
  API_METHODS,
  ApiCallError,
  channelOf,
  isApiMethod,
  toApiError,
  unwrapEnvelope,
  DEFAULT_SETTINGS,
} from '../shared/ipc/contract.ts';
import { LIMITS, VALIDATORS, base64LengthFor, validateRequest } from '../shared/ipc/validators.ts';
import { DEFAULT_MAX_BYTES } from '../shared/evaluate-options.ts';
import { fixtureReport } from './ipc-report-fixture.ts';

test('every listed method has a validator and a distinct channel', () => {
  assert.deepEqual(Object.keys(VALIDATORS).sort(), [...API_METHODS].sort());
  assert.equal(new Set(API_METHODS.map(channelOf)).size, API_METHODS.length);
  assert.ok(isApiMethod('evaluate'));
  assert.ok(!isApiMethod('constructor'));
  assert.ok(!isApiMethod('__proto__'));
});

test('evaluate: accepts a well-formed request and keeps only known fields', () => {
  const v = validateRequest('evaluate', {
    messageBase64: Buffer.from('From: a@b\r\n\r\nhi').toString('base64'),
    fileName: 'a.eml',
    options: { ip: '192.0.2.1', mode: 'lenient', hop: 2, mailFrom: '' },
    dns: { servers: ['127.0.0.1:5353', '[::1]:53', 'ns.example'], offline: true, timeoutMs: 1000 },
    slice: { start: 40, count: 200 },
  });
  assert.ok(v.ok, !v.ok ? v.message : '');
  assert.deepEqual(v.value.slice, { start: 40, count: 200 });
  assert.equal(v.value.options.mode, 'lenient');
  assert.equal(v.value.options.mailFrom, '');
  assert.deepEqual(v.value.dns.servers, ['127.0.0.1:5353', '[::1]:53', 'ns.example']);
});

test('evaluate: refuses bad input with a message naming the field', () => {
  const cases: [unknown, RegExp][] = [
    [undefined, /request: must be an object/],
    [{ messageBase64: 'abc', options: {}, dns: {} }, /messageBase64: must be standard base64/],
    [{ messageBase64: 'ab!=', options: {}, dns: {} }, /messageBase64/],
    [{ messageBase64: 42, options: {}, dns: {} }, /messageBase64: must be a string/],
    [{ messageBase64: '', options: { hop: 0 }, dns: {} }, /options\.hop: must be an integer/],
    [{ messageBase64: '', options: { mode: 'loose' }, dns: {} }, /options\.mode: must be one of strict, lenient/],
    [{ messageBase64: '', options: { ipp: '1.2.3.4' }, dns: {} }, /options: unknown field "ipp"/],
    [{ messageBase64: '', options: {}, dns: { servers: ['1.2.3.4; rm -rf'] } }, /dns\.servers\[0\]/],
    [{ messageBase64: '', options: {}, dns: { replay: { format: 'x', version: 1, savedAt: '', entries: [] } } }, /dns\.replay\.format/],
    [{ messageBase64: '', options: {}, dns: {}, fileName: '../etc/passwd' }, /fileName: must be a file name without directories/],
    [{ messageBase64: '', options: { maxBytes: DEFAULT_MAX_BYTES + 1 }, dns: {} }, /options\.maxBytes/],
    [{ messageBase64: '', options: {}, dns: {}, slice: { start: -1, count: 10 } }, /slice\.start: must be an integer/],
    [{ messageBase64: '', options: {}, dns: {}, slice: { start: 0, count: 0 } }, /slice\.count: must be an integer from 1/],
    [{ messageBase64: '', options: {}, dns: {}, slice: { start: 0, count: 1.5 } }, /slice\.count/],
    [{ messageBase64: '', options: {}, dns: {}, slice: { start: 0, count: LIMITS.sliceCount + 1 } }, /slice\.count/],
    [{ messageBase64: '', options: {}, dns: {}, slice: { start: 0 } }, /slice\.count/],
    [{ messageBase64: '', options: {}, dns: {}, slice: { start: 0, count: 5, end: 9 } }, /slice: unknown field "end"/],
    [{ messageBase64: '', options: {}, dns: {}, slice: [0, 5] }, /slice: must be an object/],
  ];
  for (const [input, re] of cases) {
    const v = validateRequest('evaluate', input);
    assert.equal(v.ok, false, `accepted ${JSON.stringify(input)}`);
    if (!v.ok) assert.match(v.message, re);
  }
});

test('evaluate: base64 is size-limited to the largest message', () => {
  assert.equal(LIMITS.messageBase64, base64LengthFor(DEFAULT_MAX_BYTES));
  assert.equal(base64LengthFor(3), 4);
  assert.equal(base64LengthFor(4), 8);
  const tooLong = 'A'.repeat(LIMITS.messageBase64 + 4);
  const v = validateRequest('evaluate', { messageBase64: tooLong, options: {}, dns: {} });
  assert.equal(v.ok, false);
  if (!v.ok) assert.match(v.message, /longer than/);
});

test('no-argument methods accept nothing (undefined or null) and refuse anything else', () => {
  for (const m of ['getSettings', 'listRecent', 'openFileDialog', 'appInfo'] as const) {
    assert.ok(validateRequest(m, undefined).ok);
    assert.ok(validateRequest(m, null).ok);
    assert.equal(validateRequest(m, { x: 1 }).ok, false);
  }
});

test('settings, recent entries, save and export requests', () => {
  assert.ok(validateRequest('setSettings', DEFAULT_SETTINGS).ok);
  const bad = validateRequest('setSettings', { ...DEFAULT_SETTINGS, theme: 'neon' });
  assert.ok(!bad.ok && /settings\.theme/.test(bad.message));
  assert.equal(validateRequest('setSettings', { ...DEFAULT_SETTINGS, extra: 1 }).ok, false);

  assert.ok(validateRequest('addRecent', { fileName: 'a.eml', verdict: 'pass', size: 3 }).ok);
  // The page cannot plant a path for Open Recent to read.
  assert.equal(validateRequest('addRecent', { fileName: 'a.eml', path: '/etc/shadow' }).ok, false);

  assert.ok(validateRequest('saveFile', { fileName: 'r.html', content: '<p>' }).ok);
  assert.equal(validateRequest('saveFile', { fileName: 'a/b.html', content: '' }).ok, false);
  assert.equal(validateRequest('saveFile', { fileName: 'a\nb', content: '' }).ok, false);

  assert.ok(validateRequest('exportReport', { format: 'html', report: fixtureReport() }).ok);
  assert.equal(validateRequest('exportReport', { format: 'pdf', report: fixtureReport() }).ok, false);
  const noDkim = { ...fixtureReport(), dkim: undefined };
  const r = validateRequest('exportReport', { format: 'json', report: noDkim });
  assert.ok(!r.ok && /report\.dkim: must be an array/.test(r.message));
});

test('envelope: codes survive toApiError → unwrapEnvelope', () => {
  const err = toApiError(Object.assign(new Error('too big'), { code: 'too-large' }));
  assert.deepEqual(err, { code: 'too-large', message: 'too big' });
  assert.equal(toApiError(new Error('x')).code, 'internal');
  assert.equal(toApiError(Object.assign(new Error('x'), { code: 'ENOENT' })).code, 'internal');
  assert.equal(unwrapEnvelope({ ok: true, value: 5 }), 5);
  assert.throws(
    () => unwrapEnvelope({ ok: false, error: err }),
    (e: unknown) => e instanceof ApiCallError && e.code === 'too-large' && e.message === 'too big',
  );
  assert.throws(() => unwrapEnvelope('nope'), /malformed response/);
});
