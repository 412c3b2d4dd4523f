// The app:// scheme: the built renderer served from disk under a real origin (app://authlab)
// instead of file://, which would give the page access to every local file's origin.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Protocol } from 'electron';
import { resolveStaticPath, mimeTypeOf, type StaticPath } from '../web-host/static-files.ts';
import { SECURITY_HEADERS } from './csp.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'authlab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** Registered before `ready`: a standard, secure scheme so the page has an origin, fetch and workers. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const;

/** Maps an app:// URL to a file inside rendererDir, or refuses it (other hosts, traversal). */
export function resolveAppUrl(rendererDir: string, url: string): StaticPath {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return { ok: false, status: 404, reason: 'unknown host' };
  // URL parsing silently removes dot segments, even encoded ones (%2e%2e): check the path as sent
  // first, so a traversal attempt is refused rather than quietly rewritten.
  const prefix = `${APP_SCHEME}://${APP_HOST}`;
  if (url.toLowerCase().startsWith(prefix)) {
    const raw = url.slice(prefix.length) || '/';
    const asSent = resolveStaticPath(rendererDir, raw);
    if (!asSent.ok) return asSent;
  }
  return resolveStaticPath(rendererDir, u.pathname);
}

/** True when a URL is this app's own page (same scheme and host). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Serves app:// from rendererDir. `protocol` is Electron's (passed in so this module stays testable). */
export function handleAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request.url, request.method));
}

export async function serveAppRequest(rendererDir: string, url: string, method = 'GET'): Promise<Response> {
  const headers = { ...SECURITY_HEADERS };
  if (method !== 'GET' && method !== 'HEAD') return new Response('Method not allowed', { status: 405, headers });
  const r = resolveAppUrl(rendererDir, url);
  if (!r.ok) return new Response(r.reason, { status: r.status, headers });
  try {
    const [real, root] = await Promise.all([fs.realpath(r.file), fs.realpath(rendererDir)]);
    if (real !== root && !real.startsWith(root + path.sep)) return new Response('Not found', { status: 404, headers });
    const body = await fs.readFile(real);
    return new Response(method === 'HEAD' ? null : body, { status: 200, headers: { ...headers, 'Content-Type': mimeTypeOf(real) } });
  } catch {
    return new Response('Not found', { status: 404, headers });
  }
}
