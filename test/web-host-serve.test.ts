import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasDisplay, openCommand, parseServeArgs, startServe } from '../electron/web-host/serve.ts';
import { defaultDataDir } from '../electron/services/app-paths.ts';

test('serve options', () => {
  assert.deepEqual(parseServeArgs([]), { port: 0, open: true });
  assert.deepEqual(parseServeArgs(['--port', '8080', '--no-open']), { port: 8080, open: false });
  assert.deepEqual(parseServeArgs(['--port=0']), { port: 0, open: true });
  assert.throws(() => parseServeArgs(['--port', 'x']), /--port: "x" is not a port number/);
  assert.throws(() => parseServeArgs(['--port', '70000']), { code: 'usage', exitCode: 2 });
  assert.throws(() => parseServeArgs(['--port']), /needs a value/);
  assert.throws(() => parseServeArgs(['--host', '0.0.0.0']), /unknown option "--host"/);
});

test('opening the browser: only with a display, the URL as one argument', () => {
  assert.equal(hasDisplay({}, 'linux'), false);
  assert.equal(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux'), true);
  assert.equal(hasDisplay({}, 'darwin'), true);
  const url = 'http://127.0.0.1:1/#token=abc';
  assert.deepEqual(openCommand(url, 'linux'), ['xdg-open', [url]]);
  assert.deepEqual(openCommand(url, 'darwin'), ['open', [url]]);
  assert.deepEqual(openCommand(url, 'win32')[1].at(-1), url);
});

test('data folder matches Electron userData for productName AuthLab', () => {
  assert.equal(defaultDataDir({}, 'linux', '/home/u'), '/home/u/.config/AuthLab');
  assert.equal(defaultDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u'), '/x/AuthLab');
  assert.equal(defaultDataDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/AuthLab');
  assert.equal(defaultDataDir({ AUTHLAB_DATA_DIR: '/d' }, 'linux', '/home/u'), '/d');
  assert.equal(defaultDataDir({ AUTHLAB_HOME: '/h' }, 'linux', '/home/u'), '/h', 'the CLI and the app share one data folder');
});

test('startServe starts the real host on loopback and prints the URL with its token', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-serve-'));
  const lines: string[] = [];
  const host = await startServe(['--no-open', '--data-dir', dir, '--renderer-dir', path.join(dir, 'none')], { log: (l) => lines.push(l) });
  t.after(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal(lines[0], `AuthLab is at ${host.url}`);
  const status = await new Promise<number>((resolve, reject) =>
    http.get({ host: '127.0.0.1', port: host.port, path: '/', headers: { Host: `127.0.0.1:${host.port}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject),
  );
  assert.equal(status, 503, 'a missing renderer build is explained, not a bare 404');
});
