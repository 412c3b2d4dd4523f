// Static files of the built renderer, with a path-traversal guard. Pure path logic lives in
// resolveStaticPath so Electron's app:// handler can share it.

import path from 'node:path';

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeTypeOf(file: string): string {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticPath = { ok: true; file: string } | { ok: false; status: 400 | 404; reason: string };

/**
 * Maps a URL path ("/assets/a.js", percent-encoded as sent) to a file inside `root`.
 * Refuses: undecodable escapes, NUL, backslashes, any "." / ".." segment (before or after
 * decoding), dotfiles, and anything that resolves outside root. "/" is index.html.
 */
export function resolveStaticPath(root: string, urlPath: string): StaticPath {
  const rawPath = urlPath.split(/[?#]/, 1)[0] ?? '';
  if (!rawPath.startsWith('/')) return { ok: false, status: 400, reason: 'path must start with /' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400, reason: 'forbidden character' };
  const segments = decoded.split('/').slice(1);
  for (const seg of [...segments, ...rawPath.split('/')]) {
    if (seg === '.' || seg === '..') return { ok: false, status: 400, reason: 'dot segment' };
  }
  if (segments.some((s) => s.startsWith('.'))) return { ok: false, status: 404, reason: 'hidden file' };
  const rel = decoded === '/' || decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const base = path.resolve(root);
  const file = path.resolve(base, `.${rel}`);
  if (file !== base && !file.startsWith(base + path.sep)) return { ok: false, status: 400, reason: 'outside the root' };
  return { ok: true, file };
}
