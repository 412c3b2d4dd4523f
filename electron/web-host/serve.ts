// `authlab serve [--port N] [--no-open]`: the web host with the real engine, printing the URL
// (with its token) and opening it in the default browser when there is a display.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { createServices } from '../services/services.ts';
import { defaultDataDir, findAppRoot } from '../services/app-paths.ts';
import { startWebHost, type WebHost } from './server.ts';

export interface ServeArgs {
  port: number;
  open: boolean;
  rendererDir?: string;
  dataDir?: string;
}

/** A command-line mistake: the CLI prints the message and exits 2. */
function usage(message: string): Error {
  return Object.assign(new Error(message), { code: 'usage', exitCode: 2 });
}

export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const out: ServeArgs = { port: 0, open: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) throw usage(`--port: "${v}" is not a port number (0-65535)`);
        out.port = n;
        break;
      }
      case '--no-open':
        out.open = false;
        break;
      case '--renderer-dir':
        out.rendererDir = path.resolve(value());
        break;
      case '--data-dir':
        out.dataDir = path.resolve(value());
        break;
      default:
        throw usage(`serve: unknown option "${a}" (usage: authlab serve [--port N] [--no-open])`);
    }
  }
  return out;
}

/** Whether a browser window could appear: Linux needs X11 or Wayland; macOS and Windows always have one. */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** The command that opens a URL in the default browser (no shell: the URL is one argument). */
export function openCommand(url: string, platform: NodeJS.Platform = process.platform): [string, string[]] {
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

export function openInBrowser(url: string): void {
  const [cmd, args] = openCommand(url);
  const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => {}); // no opener installed: the URL is printed anyway
  child.unref();
}

export interface ServeIo {
  log(line: string): void;
}

/** Starts the web host with the real engine and prints its URL; returns the running host. */
export async function startServe(argv: readonly string[], io: ServeIo = { log: (l) => console.log(l) }): Promise<WebHost> {
  const args = parseServeArgs(argv);
  const root = findAppRoot();
  const rendererDir = args.rendererDir ?? path.join(root ?? process.cwd(), 'dist', 'renderer');
  // Loaded here so that parsing options never depends on the engine's modules.
  const { createEngine } = await import('../engine/engine.ts');
  const services = createServices({ engine: createEngine(), dataDir: args.dataDir ?? defaultDataDir(), shell: 'web' });
  const host = await startWebHost({ services, rendererDir, port: args.port });
  io.log(`AuthLab is at ${host.url}`);
  io.log('The token in the address is needed for every request; press Ctrl+C to stop.');
  if (args.open && hasDisplay()) openInBrowser(host.url);
  return host;
}

/** `authlab serve`: runs until SIGINT/SIGTERM, then resolves with the exit code (0). */
export async function runServe(argv: readonly string[], io?: ServeIo): Promise<number> {
  const host = await startServe(argv, io);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await host.close();
  return 0;
}
