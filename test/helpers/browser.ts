// End-to-end harness for the renderer: builds it once (vite), serves it from the real web host with
// the real engine over an in-memory DNS zone (no network), and drives Debian's chromium through
// playwright-core. Tests skip with a message where chromium is absent.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { createEngine } from '../../electron/engine/engine.ts';
import { loadZones } from '../../electron/engine/dns/zone-file.ts';
import { createServices } from '../../electron/services/services.ts';
import { startWebHost, type WebHost } from '../../electron/web-host/server.ts';
import { repoRoot } from './paths.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];
export const rendererDir = path.join(repoRoot, 'dist', 'renderer');
export const screenshotDir = path.join(repoRoot, 'test-output', 'screenshots');

/** A skip message for node:test when no browser can run here. */
export const browserSkip: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt install chromium) — end-to-end UI tests skipped`;

function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

/** Runs `vite build` unless dist/renderer is newer than every source it is built from. */
export function ensureRendererBuilt(): void {
  const index = path.join(rendererDir, 'index.html');
  const sources = [path.join(repoRoot, 'renderer'), path.join(repoRoot, 'shared'), path.join(repoRoot, 'vite.config.ts')];
  if (existsSync(index) && statSync(index).mtimeMs > Math.max(...sources.map(newestMtime))) return;
  const vite = path.join(repoRoot, 'node_modules', '.bin', 'vite');
  const r = spawnSync(vite, ['build', '--logLevel', 'warn'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` } });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface AppUnderTest {
  host: WebHost;
  context: BrowserContext;
  page: Page;
  /** Every request the page made, for the loopback-only assertion. */
  requests: Request[];
  consoleErrors: string[];
  /** The CSP header of the page response. */
  csp: string | undefined;
  close(): Promise<void>;
}

/**
 * Starts the web host with the real engine. `zone` (master-file text) stands in for live DNS:
 * every name not in it is NXDOMAIN, so nothing leaves the machine.
 */
export async function openApp(opts: { zone: string; now?: Date; viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' }): Promise<AppUnderTest> {
  ensureRendererBuilt();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'authlab-e2e-data-'));
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'authlab-e2e-chromium-'));
  const zone = loadZones([{ name: 'test', text: opts.zone }]);
  const now = opts.now ?? new Date('2026-11-24T10:05:00Z');
  const engine = createEngine({ live: () => zone, clock: () => now });
  const services = createServices({ engine, dataDir, shell: 'web', now: () => now });
  const host = await startWebHost({ services, rendererDir });

  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1500, height: 1000 },
    colorScheme: opts.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: Request[] = [];
  const consoleErrors: string[] = [];
  context.on('request', (r) => requests.push(r));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  const response = await page.goto(host.url, { waitUntil: 'load' });
  const csp = response?.headers()['content-security-policy'];
  await page.getByRole('heading', { name: /Test a message/ }).waitFor();

  return {
    host,
    context,
    page,
    requests,
    consoleErrors,
    csp,
    async close() {
      await context.close().catch(() => {});
      await host.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Drops files on the window through the page's real drop handler (a DataTransfer built in the page). */
export async function dropFiles(page: Page, files: { name: string; bytes: Uint8Array; type?: string }[]): Promise<void> {
  await stageFiles(page, files);
  await dispatchDrop(page);
}

/** Builds the File objects in the page ahead of the drop, so a benchmark does not time the harness. */
export async function stageFiles(page: Page, files: { name: string; bytes: Uint8Array; type?: string }[]): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __staged: File[] }).__staged = [];
  });
  for (const f of files) {
    // in 8 MB pieces: one huge string argument is slow to pass and to decode
    const parts: string[] = [];
    for (let i = 0; i < f.bytes.length; i += 8 * 1024 * 1024) parts.push(Buffer.from(f.bytes.subarray(i, i + 8 * 1024 * 1024)).toString('base64'));
    await page.evaluate(() => {
      (window as unknown as { __parts: Uint8Array[] }).__parts = [];
    });
    for (const b64 of parts) {
      await page.evaluate((chunk) => {
        const bin = atob(chunk);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        (window as unknown as { __parts: Uint8Array[] }).__parts.push(bytes);
      }, b64);
    }
    await page.evaluate(
      ({ name, type }) => {
        const w = window as unknown as { __parts: Uint8Array[]; __staged: File[] };
        w.__staged.push(new File(w.__parts as BlobPart[], name, { type }));
        w.__parts = [];
      },
      { name: f.name, type: f.type ?? 'message/rfc822' },
    );
  }
}

/** Dispatches dragenter, dragover and drop carrying the staged files. */
export async function dispatchDrop(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __staged: File[] };
    const dt = new DataTransfer();
    for (const f of w.__staged) dt.items.add(f);
    w.__staged = [];
    const target = document.querySelector('main') ?? document.body;
    target.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: dt }));
    target.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
    target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Requests that left loopback (there must be none). */
export function externalRequests(requests: Request[]): string[] {
  return requests
    .map((r) => r.url())
    .filter((u) => {
      if (u.startsWith('data:') || u.startsWith('blob:')) return false;
      try {
        const h = new URL(u).hostname;
        return h !== '127.0.0.1' && h !== 'localhost';
      } catch {
        return true;
      }
    });
}
