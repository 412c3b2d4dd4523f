// `authlab serve`: the renderer and the API over HTTP on 127.0.0.1 only, for browsers (and for
// testing the UI in Chromium where no Electron binary exists).
//
// Guards: a random 256-bit token per run on every API call (X-AuthLab-Token; the page gets it from
// its URL fragment, which is never sent to a server), the Host header must name this loopback
// origin (DNS rebinding), a cross-origin Origin is refused, only the contract's methods exist and
// every request is validated by the contract's validators.

import http from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { TOKEN_HEADER, errorEnvelope, isApiMethod, type AuthlabApi } from '../../shared/ipc/contract.ts';
import { LIMITS } from '../../shared/ipc/validators.ts';
import { dispatch } from '../services/dispatch.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { mimeTypeOf, resolveStaticPath } from './static-files.ts';
import { jsonBytes } from './json-body.ts';

export interface WebHostOptions {
  services: AuthlabApi;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Largest accepted request body; default: the largest message as base64 plus room for zones. */
  maxBodyBytes?: number;
}

export interface WebHost {
  /** The page URL including `#token=…`. */
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY = LIMITS.messageBase64 + 32 * 1024 * 1024;

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  let port = 0;

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, errorEnvelope('internal', (err as Error).message));
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);

    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 still sends Host: evil.example.
    const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!allowedHosts.includes((req.headers.host ?? '').toLowerCase())) {
      return sendText(res, 421, 'Misdirected request: this server answers only for its loopback address\n');
    }
    const url = req.url ?? '/';
    if (url === '/api' || url.startsWith('/api/')) return handleApi(req, res, url);
    return handleStatic(req, res, url);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: string): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const given = req.headers[TOKEN_HEADER.toLowerCase()];
    const givenBytes = Buffer.from(typeof given === 'string' ? given : '');
    if (givenBytes.length !== tokenBytes.length || !timingSafeEqual(givenBytes, tokenBytes)) {
      return sendJson(res, 401, errorEnvelope('unauthorized', `missing or wrong ${TOKEN_HEADER} header`));
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
      return sendJson(res, 403, errorEnvelope('forbidden', `cross-origin request from ${origin} refused`));
    }
    const name = url.slice('/api/'.length).split('?', 1)[0];
    if (!isApiMethod(name)) return sendJson(res, 404, errorEnvelope('unknown-method', `no API method "${name}"`));
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, errorEnvelope('invalid-request', 'API methods are called with POST'));
    }
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > maxBody) return sendJson(res, 413, errorEnvelope('too-large', `request body over ${maxBody} bytes`), true);

    const body = await readBody(req, maxBody);
    if (body === 'too-large') return sendJson(res, 413, errorEnvelope('too-large', `request body over ${maxBody} bytes`), true);
    let arg: unknown;
    if (body.length > 0) {
      if (type !== 'application/json') return sendJson(res, 415, errorEnvelope('invalid-request', 'the body must be application/json'));
      try {
        arg = JSON.parse(body.toString('utf8'));
      } catch (err) {
        return sendJson(res, 400, errorEnvelope('invalid-request', `body is not JSON: ${(err as Error).message}`));
      }
    }
    const result = await dispatch(opts.services, name, arg);
    // As over IPC, a rejected input is a result (an error envelope), not a transport failure: 200.
    // 400/500 stay for requests that are malformed and for our own bugs.
    const status = result.ok ? 200 : result.error.code === 'invalid-request' ? 400 : result.error.code === 'internal' ? 500 : 200;
    return sendJson(res, status, result);
  }

  async function handleStatic(req: http.IncomingMessage, res: http.ServerResponse, url: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'Method not allowed\n');
    }
    const resolved = resolveStaticPath(opts.rendererDir, url);
    if (!resolved.ok) return sendText(res, resolved.status, `${resolved.status === 404 ? 'Not found' : 'Bad request'}: ${resolved.reason}\n`);
    let file = resolved.file;
    // A symlink inside the folder must not lead out of it.
    let real: string;
    try {
      real = await fs.realpath(file);
      const root = await fs.realpath(opts.rendererDir);
      if (real !== root && !real.startsWith(root + path.sep)) return sendText(res, 404, 'Not found\n');
      const st = await fs.stat(real);
      if (!st.isFile()) return sendText(res, 404, 'Not found\n');
      res.setHeader('Content-Length', st.size);
    } catch {
      if (url === '/' || url.startsWith('/index.html')) {
        return sendText(res, 503, `The renderer is not built (${opts.rendererDir} has no index.html): run "npm run build".\n`);
      }
      return sendText(res, 404, 'Not found\n');
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', mimeTypeOf(file));
    res.setHeader('Cache-Control', 'no-cache');
    if (req.method === 'HEAD') return void res.end();
    await new Promise<void>((resolve, reject) => {
      createReadStream(real).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  const bytes = jsonBytes(body, { ascii: true });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', bytes.length);
  if (close) res.setHeader('Connection', 'close');
  res.end(bytes);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
