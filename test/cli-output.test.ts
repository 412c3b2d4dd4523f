// The CLI's stdout writer (electron/cli/output.ts): straight to the descriptor, the rest handed to
// the stream when the descriptor would block, and a quiet end when the reader goes away.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fdOutput } from '../electron/cli/output.ts';
import { startDnsServer } from './helpers/dns-server.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');

function fifo(): { file: string; done(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authlab-fifo-'));
  const file = path.join(dir, 'out');
  execFileSync('mkfifo', [file]);
  return { file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function drain(fd: number): Buffer {
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    let n = 0;
    try {
      n = readSync(fd, buf);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw err;
    }
    if (!n) break;
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(parts);
}

test('a descriptor that would block (EAGAIN) hands the rest to the stream, in order, and drained() waits for it', async () => {
  const f = fifo();
  try {
    // both ends non-blocking: the writer fills the pipe buffer (64 KB) and gets EAGAIN
    const reader = openSync(f.file, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(f.file, constants.O_WRONLY | constants.O_NONBLOCK);
    const stream = new PassThrough();
    const viaStream: Buffer[] = [];
    stream.on('data', (d: Buffer) => viaStream.push(d));
    const out = fdOutput(writer, () => stream as unknown as NodeJS.WriteStream);
    const text = Array.from({ length: 4000 }, (_, i) => `{"line":${i},"pad":"${'x'.repeat(40)}"}\n`).join('');
    out.write(text.slice(0, 100_000));
    out.write(text.slice(100_000));
    await out.drained();
    const direct = drain(reader);
    assert.ok(direct.length > 0 && direct.length < 100_000, `the pipe took ${direct.length} bytes before it would block`);
    assert.ok(viaStream.length > 0, 'the rest went through the stream');
    assert.equal(direct.toString() + Buffer.concat(viaStream).toString(), text);
    closeSync(reader);
    closeSync(writer);
  } finally {
    f.done();
  }
});

test('after handing over to the stream, a reader that goes away later (EPIPE on the stream) closes the output quietly; other stream errors still throw', () => {
  const f = fifo();
  try {
    const reader = openSync(f.file, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(f.file, constants.O_WRONLY | constants.O_NONBLOCK);
    const stream = new PassThrough();
    const out = fdOutput(writer, () => stream as unknown as NodeJS.WriteStream);
    out.write('x'.repeat(200_000)); // more than the pipe takes: the stream takes over
    assert.equal(out.closed, false);
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    assert.equal(out.closed, true);
    out.write('dropped\n'); // quietly
    assert.throws(() => stream.emit('error', Object.assign(new Error('disk on fire'), { code: 'EIO' })), { code: 'EIO' });
    closeSync(reader);
    closeSync(writer);
  } finally {
    f.done();
  }
});

test('a reader that went away (EPIPE) ends the output quietly; other write errors are thrown', () => {
  const f = fifo();
  try {
    const reader = openSync(f.file, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(f.file, constants.O_WRONLY | constants.O_NONBLOCK);
    closeSync(reader);
    const out = fdOutput(writer, () => assert.fail('the stream is not for a closed reader'));
    out.write('first\n');
    out.write('second\n');
    closeSync(writer);
    const bad = fdOutput(writer, () => assert.fail('not for EBADF'));
    assert.throws(() => bad.write('x'), { code: 'EBADF' });
  } finally {
    f.done();
  }
});

/** Runs `authlab check - --json` on an mbox through a reader that stops after the first line (as `| head -1` does). */
async function checkIntoHead(mbox: string, args: string[]): Promise<{ first: string; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/authlab.cjs'), 'check', '-', '--json', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(mbox);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const first = await new Promise<string>((resolve) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        child.stdout.destroy(); // as `| head -1` does
        resolve(buf.slice(0, nl));
      }
    });
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { first, code, stderr };
}

test('authlab check --json on an mbox piped into a reader that stops after one line: no error, exit 0', async () => {
  const msg = (i: number) => `From sender@example.com Mon Jan  1 00:00:00 2024\nFrom: a${i}@example.com\nTo: b@example.org\nSubject: ${i}\n\nbody ${i}\n`;
  const mbox = Array.from({ length: 300 }, (_, i) => msg(i)).join('\n');
  const { first, code, stderr } = await checkIntoHead(mbox, ['--offline', '--ip', '192.0.2.1']);
  assert.equal(JSON.parse(first).index, 0);
  assert.equal(stderr, '');
  assert.equal(code, 0);
});

test('once the reader went away the evaluation stops, unless --fail-on or --save-dns still needs every message', async () => {
  // every message has a From domain of its own, so the DNS server sees how far the evaluation got
  const msg = (i: number) => `From sender@example.com Mon Jan  1 00:00:00 2024\nFrom: a@d${i}.example\nTo: b@example.org\nSubject: ${i}\n\nbody ${i}\n`;
  const count = 300;
  const mbox = Array.from({ length: count }, (_, i) => msg(i)).join('\n');
  const dns = await startDnsServer();
  try {
    const asked = (i: number) => dns.queries.some((q) => q.name === `_dmarc.d${i}.example`);
    const stopped = await checkIntoHead(mbox, ['--dns', dns.server, '--ip', '192.0.2.1']);
    assert.equal(JSON.parse(stopped.first).index, 0);
    assert.equal(stopped.stderr, '');
    assert.equal(stopped.code, 0);
    assert.ok(asked(0));
    const reached = Array.from({ length: count }, (_, i) => i).filter(asked).length;
    assert.ok(reached < count / 2, `stopped soon after the reader went away (evaluated ${reached} of ${count})`);
    assert.ok(!asked(count - 1));

    // the exit status depends on every message: all are evaluated
    dns.queries.length = 0;
    const failOn = await checkIntoHead(mbox, ['--dns', dns.server, '--ip', '192.0.2.1', '--fail-on', 'dkim']);
    assert.equal(failOn.stderr, '');
    assert.equal(failOn.code, 1, 'no message has a DKIM pass');
    assert.ok(asked(count - 1), 'the last message too');
  } finally {
    await dns.close();
  }
});
