// Builds the renderer (renderer/index.html) into dist/renderer/ for Electron's app:// scheme and the
// web host. Everything is bundled: Monaco and its worker come from node_modules, never a CDN, and the
// output runs under a CSP without 'unsafe-eval' or inline scripts.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./renderer', import.meta.url));

export default defineConfig({
  root,
  base: './',
  // Vite 8 transforms TSX with oxc; React 19's automatic runtime needs no React import per file.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2023',
    // Monaco alone is ~3 MB minified; the warning is expected, not actionable.
    chunkSizeWarningLimit: 6000,
    // No inline <script> / data: module preload polyfill: CSP script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
});
