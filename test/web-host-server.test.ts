import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOKEN_HEADER, DEFAULT_SETTINGS, type EvaluationResult } from '../shared/ipc/contract.ts';
import { createServices, type EngineLike } from '../electron/services/services.ts';
import { startWebHost, type WebHost } from '../electron/web-host/server.ts';
import { CONTENT_SECURITY_POLICY } from '../electron/web-host/security-headers.ts';
import { resolveStaticPath } from '../electron/web-host/static-files.ts';
import { fixtureReport } from './ipc-report-fixture.ts';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request: the path is sent exactly as given (fetch would normalise "/../"). */
function request(host: WebHost, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string; hostHeader?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: host.port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: { Host: opts.hostHeader ?? `127.0.0.1:${host.port}`, ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function api(host: WebHost, method: string, arg?: unknown, extra: Record<string, string> = {}): Promise<Reply> {
  return request(host, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: host.token, ...extra },
    body: arg === undefined ? '' : JSON.stringify(arg),
  });
}

async function setup(t: { after(fn: () => unknown): void }, engine?: EngineLike) {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-webhost-'));
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>AuthLab</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(rendererDir, 'assets', 'editor.worker.js'), 'self.onmessage=()=>{}');
  writeFileSync(path.join(rendererDir, '.env'), 'SECRET=1');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside the renderer');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(rendererDir, 'assets', 'link.txt'));
  const seen: Uint8Array[] = [];
  const services = createServices({
    engine: engine ?? {
      async evaluate(bytes): Promise<EvaluationResult> {
        seen.push(bytes);
        if (!bytes.length) throw Object.assign(new Error('the input is empty'), { code: 'empty' });
        return { container: 'message', messages: [{ ok: true, ...fixtureReport() }] };
      },
    },
    dataDir: path.join(dir, 'data'),
  });
  const host = await startWebHost({ services, rendererDir, maxBodyBytes: 64 * 1024 });
  t.after(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { host, seen, dir };
}

test('listens on 127.0.0.1 with a 256-bit token in the URL fragment', async (t) => {
  const { host } = await setup(t);
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(host.token, 'base64url').length, 32);
  const other = await setup(t);
  assert.notEqual(other.host.token, host.token, 'a new token per run');
});

test('API calls need the token (401)', async (t) => {
  const { host } = await setup(t);
  const none = await api(host, 'getSettings', undefined, { [TOKEN_HEADER]: '' });
  assert.equal(none.status, 401);
  assert.equal(JSON.parse(none.body).error.code, 'unauthorized');
  const wrong = await api(host, 'getSettings', undefined, { [TOKEN_HEADER]: host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A') });
  assert.equal(wrong.status, 401);
  const ok = await api(host, 'getSettings');
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { ok: true, value: DEFAULT_SETTINGS });
});

test('a foreign Host header is refused (DNS rebinding), for the page and the API', async (t) => {
  const { host } = await setup(t);
  for (const hostHeader of ['evil.example', `evil.example:${host.port}`, '127.0.0.1', `127.0.0.1:${host.port + 1}`]) {
    const page = await request(host, { path: '/', hostHeader });
    assert.equal(page.status, 421, hostHeader);
    const call = await api(host, 'getSettings', undefined, { Host: hostHeader });
    assert.equal(call.status, 421, hostHeader);
  }
  assert.equal((await request(host, { path: '/', hostHeader: `localhost:${host.port}` })).status, 200);
});

test('a cross-origin caller is refused even with the token', async (t) => {
  const { host } = await setup(t);
  const r = await api(host, 'getSettings', undefined, { Origin: 'http://evil.example' });
  assert.equal(r.status, 403);
  assert.equal((await api(host, 'getSettings', undefined, { Origin: host.origin })).status, 200);
});

test('unknown methods are 404, wrong verbs 405, bad requests 400 with the validator message', async (t) => {
  const { host } = await setup(t);
  for (const m of ['nope', 'constructor', 'toString', '__proto__']) {
    const r = await api(host, m);
    assert.equal(r.status, 404, m);
    assert.equal(JSON.parse(r.body).error.code, 'unknown-method');
  }
  const get = await request(host, { path: '/api/getSettings', headers: { [TOKEN_HEADER]: host.token } });
  assert.equal(get.status, 405);

  const bad = await api(host, 'evaluate', { messageBase64: 'abc', options: {}, dns: {} });
  assert.equal(bad.status, 400);
  assert.deepEqual(JSON.parse(bad.body).error, { code: 'invalid-request', message: 'messageBase64: must be standard base64 (RFC 4648 §4, padded)' });

  const notJson = await request(host, { method: 'POST', path: '/api/getSettings', headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: host.token }, body: '{' });
  assert.equal(notJson.status, 400);
  const form = await request(host, { method: 'POST', path: '/api/getSettings', headers: { 'Content-Type': 'text/plain', [TOKEN_HEADER]: host.token }, body: 'null' });
  assert.equal(form.status, 415);
});

test('bodies over the limit are refused with 413', async (t) => {
  const { host } = await setup(t);
  const big = { messageBase64: 'A'.repeat(100 * 1024), options: {}, dns: {} };
  const r = await api(host, 'evaluate', big);
  assert.equal(r.status, 413);
});

test('evaluate round trip: bytes exact, result enveloped, engine errors keep their code', async (t) => {
  const { host, seen } = await setup(t);
  const bytes = Buffer.from('From: a@example.com\r\nSubject: \xe9\r\n\r\n\xff\x00\r\n', 'latin1');
  const r = await api(host, 'evaluate', { messageBase64: bytes.toString('base64'), options: {}, dns: { offline: true } });
  assert.equal(r.status, 200);
  const env = JSON.parse(r.body);
  assert.equal(env.ok, true);
  assert.equal(env.value.container, 'message');
  assert.deepEqual(Buffer.from(seen[0]!), bytes);

  const empty = await api(host, 'evaluate', { messageBase64: '', options: {}, dns: {} });
  assert.equal(empty.status, 200, 'a rejected input is a result: the envelope says ok: false');
  assert.equal(JSON.parse(empty.body).ok, false);
  assert.deepEqual(JSON.parse(empty.body).error, { code: 'empty', message: 'the input is empty' });

  const info = JSON.parse((await api(host, 'appInfo', null)).body);
  assert.equal(info.value.shell, 'web');
  assert.deepEqual(JSON.parse((await api(host, 'openFileDialog')).body).value, { supported: false });
});

test('static files: MIME types and security headers', async (t) => {
  const { host } = await setup(t);
  const page = await request(host, { path: '/' });
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(page.body, /<title>AuthLab/);
  assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self';/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval/);

  const js = await request(host, { path: '/assets/app.js?v=1' });
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal((await request(host, { path: '/assets/missing.js' })).status, 404);
  assert.equal((await request(host, { path: '/', method: 'POST' })).status, 405);
  // API error responses carry the headers too
  assert.equal((await api(host, 'nope')).headers['x-content-type-options'], 'nosniff');
});

test('path traversal is refused, plain or encoded, and symlinks cannot lead out', async (t) => {
  const { host } = await setup(t);
  for (const p of ['/../package.json', '/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2E%2E/%2E%2E/secret.txt', '/..%2fsecret.txt', '/assets/..%5C..%5Csecret.txt', '/%00', '/%E0%A4%A']) {
    const r = await request(host, { path: p });
    assert.ok(r.status === 400 || r.status === 404, `${p} → ${r.status}`);
    assert.ok(!r.body.includes('outside the renderer'), p);
  }
  const link = await request(host, { path: '/assets/link.txt' });
  assert.equal(link.status, 404);
  assert.equal((await request(host, { path: '/.env' })).status, 404);
});

test('resolveStaticPath is contained for any input', () => {
  const root = path.resolve('/srv/renderer');
  assert.deepEqual(resolveStaticPath(root, '/'), { ok: true, file: path.join(root, 'index.html') });
  assert.deepEqual(resolveStaticPath(root, '/assets/a%20b.js'), { ok: true, file: path.join(root, 'assets', 'a b.js') });
  for (const p of ['/..', '/a/../../x', '/%2e%2e%2fx', 'x', '//etc/passwd/..', '/a/./b']) {
    const r = resolveStaticPath(root, p);
    if (r.ok) assert.ok(r.file.startsWith(root + path.sep), `${p} → ${r.file}`);
    else assert.ok(r.status === 400 || r.status === 404);
  }
  const abs = resolveStaticPath(root, '//etc/passwd');
  assert.ok(!abs.ok || abs.file.startsWith(root + path.sep));
});

test('settings persist through the API', async (t) => {
  const { host } = await setup(t);
  const mine = { ...DEFAULT_SETTINGS, offline: true };
  assert.equal((await api(host, 'setSettings', mine)).status, 200);
  assert.deepEqual(JSON.parse((await api(host, 'getSettings')).body).value, mine);
});

test('real engine round trip: evaluate offline, then export the real report in every format', async (t) => {
  const { createEngine } = await import('../electron/engine/engine.ts');
  const { host } = await setup(t, createEngine({ clock: () => new Date('2026-03-01T00:00:00Z') }));
  const msg = 'From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: <b>hello</b>\r\nDate: Sun, 1 Mar 2026 00:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nHello.\r\n';
  const r = await api(host, 'evaluate', {
    messageBase64: Buffer.from(msg).toString('base64'),
    fileName: 'hello.eml',
    options: { ip: '192.0.2.1', mailFrom: 'alice@example.com', helo: 'mx.example.com' },
    dns: { offline: true },
  });
  assert.equal(r.status, 200, r.body.slice(0, 300));
  const result = JSON.parse(r.body).value;
  assert.equal(result.container, 'message');
  const report = result.messages[0];
  assert.equal(report.ok, true);
  assert.equal(report.input.subject, '<b>hello</b>');
  assert.equal(report.input.evaluatedBytes, Buffer.byteLength(msg));
  assert.equal(report.spf.result, 'none', 'offline: example.com has no SPF record');
  assert.deepEqual(report.dkim, []);

  const { ok: _ok, ...plain } = report;
  for (const format of ['json', 'markdown', 'html'] as const) {
    const e = await api(host, 'exportReport', { format, report: plain });
    assert.equal(e.status, 200, `${format}: ${e.body.slice(0, 300)}`);
    const file = JSON.parse(e.body).value;
    assert.match(file.fileName, /^authlab-2026-03-01-b-hello-b\.(json|md|html)$/);
    if (format === 'html') assert.ok(file.content.includes('&lt;b&gt;hello&lt;/b&gt;') && !file.content.includes('<b>hello</b>'));
  }

  const bad = await api(host, 'evaluate', { messageBase64: Buffer.from('\0\0\0binary').toString('base64'), options: {}, dns: { offline: true } });
  const env = JSON.parse(bad.body);
  assert.equal(env.ok, false, 'binary input is rejected whole');
  assert.equal(bad.status, 200);
  assert.match(env.error.code, /^[a-z-]+$/);
  assert.notEqual(env.error.code, 'internal');
});
