import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readInput } from '../electron/engine/input/message-input.ts';
import { splitMbox, unescapeFromLines, isMbox } from '../electron/engine/input/mbox.ts';

const msg = (n: number, body: string) => `From: a${n}@example.org\nTo: b@example.net\nSubject: message ${n}\n\n${body}`;

test('an mbox with three messages, one of them junk: the junk one fails alone', () => {
  const mbox = [
    'From a1@example.org Tue Jan  2 10:00:00 2024',
    msg(1, 'first body\n'),
    'From MAILER-DAEMON Tue Jan  2 10:01:00 2024',
    'This is not a message at all, just a line of text.',
    '',
    'From a3@example.org Tue Jan  2 10:02:00 2024',
    msg(3, 'third body\n'),
  ].join('\n');
  const split = readInput(Buffer.from(mbox));
  assert.equal(split.container, 'mbox');
  assert.equal(split.items.length, 3);
  const [a, b, c] = split.items;
  assert.ok(a.ok && c.ok);
  assert.equal(a.summary.subject, 'message 1');
  assert.equal(a.index, 0);
  assert.equal(a.summary.index, 0);
  assert.equal(c.summary.subject, 'message 3');
  assert.equal(c.summary.index, 2);
  // the blank separator line before the next postmark is not part of message 1
  assert.equal(a.bytes.toString(), msg(1, 'first body\n').replace(/\n/g, '\r\n'));
  assert.ok(!b.ok);
  assert.equal(b.index, 1);
  assert.equal(b.error.code, 'no-headers');
  assert.match(b.error.message, /^Message 2 of the mbox has no header fields/);
});

test('a binary message inside an mbox is reported, the others evaluated', () => {
  const junk = Buffer.concat([Buffer.from('From x@example.org Tue Jan  2 10:01:00 2024\n'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 1, 2]), Buffer.from('\n\n')]);
  const mbox = Buffer.concat([Buffer.from(`From a1@example.org Tue Jan  2 10:00:00 2024\n${msg(1, 'one\n')}\n`), junk, Buffer.from(`From a3@example.org Tue Jan  2 10:02:00 2024\n${msg(3, 'three\n')}`)]);
  const split = readInput(mbox);
  assert.deepEqual(split.items.map((i) => i.ok), [true, false, true]);
  const bad = split.items[1];
  assert.ok(!bad.ok && bad.error.code === 'binary');
  assert.match(bad.error.message, /PNG image/);
});

test('mboxrd >From lines are un-escaped by one level', () => {
  const body = '>From the start of the body\nmiddle\n>>From quoted twice\n> From is not escaped\n>From\n';
  const mbox = `From a@example.org Tue Jan  2 10:00:00 2024\n${msg(1, body)}`;
  const [item] = readInput(Buffer.from(mbox)).items;
  assert.ok(item.ok);
  const text = item.bytes.toString();
  assert.ok(text.endsWith('\r\n\r\nFrom the start of the body\r\nmiddle\r\n>From quoted twice\r\n> From is not escaped\r\n>From\r\n'), JSON.stringify(text));
  assert.deepEqual(unescapeFromLines(Buffer.from('>From x')), Buffer.from('From x'));
  assert.deepEqual(unescapeFromLines(Buffer.from('no escapes')), Buffer.from('no escapes'));
});

test('an unescaped "From " line inside a body (no blank line before, no date) does not split', () => {
  const mbox = `From a@example.org Tue Jan  2 10:00:00 2024\n${msg(1, 'Hello,\nFrom here on, things change.\nBye\n')}`;
  const parts = splitMbox(Buffer.from(mbox));
  assert.equal(parts.length, 1);
  assert.match(parts[0].bytes.toString(), /From here on, things change/);
});

test('CRLF mboxes split the same way', () => {
  const mbox = `From a1@example.org Tue Jan  2 10:00:00 2024\n${msg(1, 'one\n')}\nFrom a2@example.org Tue Jan  2 10:00:00 2024\n${msg(2, 'two\n')}`.replace(/\n/g, '\r\n');
  const split = readInput(Buffer.from(mbox));
  assert.equal(split.items.length, 2);
  for (const [i, it] of split.items.entries()) {
    assert.ok(it.ok);
    assert.equal(it.summary.lineEndings, 'crlf');
    assert.equal(it.bytes.toString(), msg(i + 1, i === 0 ? 'one\n' : 'two\n').replace(/\n/g, '\r\n'));
  }
});

test('a "From:" header is not an mbox postmark', () => {
  assert.equal(isMbox(Buffer.from('From: a@example.org\n\nx')), false);
  assert.equal(isMbox(Buffer.from('From : a@example.org\n\nx')), false);
  assert.equal(isMbox(Buffer.from('From MAILER-DAEMON\nFrom: a@example.org\n')), true);
  assert.equal(isMbox(Buffer.from('From a@example.org Tue Jan  2 10:00:00 2024\nFrom: a@example.org\n')), true);
  assert.equal(readInput(Buffer.from(msg(1, 'x\n'))).container, 'message');
});

test('each message of an mbox says where it lies in the file; the inspector rebuilds the evaluated bytes from there', async () => {
  const { evaluatedBytes, fromMessageBytes, sourceSlice } = await import('../renderer/src/lib/evaluated-bytes.ts');
  const bodies = [
    'plain body\n',
    'a body with an escaped line:\n>From the start of a sentence\n>>From two levels\n',
    'crlf body\r\n',
    'after empty lines\n',
    'after empty CRLF lines\r\n',
  ];
  const parts = [
    'From a1@example.org Tue Jan  2 10:00:00 2024\n' + msg(1, bodies[0]),
    'From a2@example.org Tue Jan  2 10:01:00 2024\n' + msg(2, bodies[1]),
    'From a3@example.org Tue Jan  2 10:02:00 2024\r\n' + msg(3, bodies[2]).replace(/\n/g, '\r\n'),
    // empty lines above the header: the engine removes them, and so does the page
    'From a4@example.org Tue Jan  2 10:03:00 2024\n\n\n' + msg(4, bodies[3]),
    'From a5@example.org Tue Jan  2 10:04:00 2024\r\n\r\n\n' + msg(5, bodies[4]).replace(/\n/g, '\r\n'),
  ];
  // a byte-order mark first: offsets are the file's, not the stripped buffer's
  const file = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(parts.join('\n'))]);
  const split = readInput(file);
  assert.equal(split.container, 'mbox');
  for (const [i, item] of split.items.entries()) {
    assert.ok(item.ok);
    const src = item.summary.source!;
    const raw = file.subarray(src.offset, src.offset + src.length).toString('latin1');
    // exactly the message as written after its postmark line (the separator blank line is the mbox's)
    assert.equal(raw, parts[i].slice(parts[i].indexOf('\n') + 1), `message ${i + 1}: its offset and length`);
    const report = { index: i, input: item.summary } as never;
    // the page holding the whole file, and the page reading the slice from a large one
    assert.deepEqual(Buffer.from(evaluatedBytes(file, 'mbox', report)!), item.bytes, `message ${i + 1} rebuilt from the file`);
    assert.deepEqual(Buffer.from(fromMessageBytes(file.subarray(src.offset, src.offset + src.length), report)!), item.bytes);
    assert.equal(evaluatedBytes(file.subarray(0, src.offset + 1), 'mbox', report, file.length), null, 'not held: null, and…');
    assert.deepEqual(sourceSlice('mbox', report, src.offset + 1), { start: src.offset, end: src.offset + src.length }, '…read from here');
    assert.equal(sourceSlice('mbox', report, file.length), null, 'held whole: nothing to read');
  }
  assert.deepEqual(
    split.items.map((it) => (it.ok ? it.summary.limitations.some((l) => /Empty lines before the first header/.test(l)) : null)),
    [false, false, false, true, true],
  );
  // ">From " lines are restored in what was evaluated, and so in what the page rebuilds
  assert.match((split.items[1] as { bytes: Buffer }).bytes.toString(), /\r\nFrom the start of a sentence\r\n>From two levels/);
  // a single message carries no source
  const single = readInput(Buffer.from(msg(9, 'x\n')));
  assert.ok(single.items[0].ok && single.items[0].summary.source === undefined);
});

test('">From " unescaping (shared by the engine and the inspector) removes one ">" exactly where mboxrd put one', async () => {
  const { unescapeFromLines: shared } = await import('../shared/mbox-escape.ts');
  const reference = (s: string) => s.replace(/(?<=^|\n)>(>*From )/g, '$1');
  const pieces = ['>', '>>', 'From ', 'From', '\n', '\r\n', 'x', ' ', '>From ', '\n>From ', 'a>From ', '\u00e9'];
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let t = 0; t < 5000; t++) {
    let s = '';
    for (let i = Math.floor(rand() * 12); i > 0; i--) s += pieces[Math.floor(rand() * pieces.length)];
    const bytes = Buffer.from(s, 'latin1');
    const expected = reference(s);
    assert.equal(Buffer.from(shared(bytes)).toString('latin1'), expected, JSON.stringify(s));
    assert.equal(unescapeFromLines(bytes).toString('latin1'), expected, JSON.stringify(s));
  }
});
