// The `authlab` command. Subcommands load their modules lazily: `authlab check` must not pay
// for the web host, and `--help` must not pay for mailauth.

import { UsageError } from './usage-error.ts';
import { fdOutput } from './output.ts';
import { showControlsKeepingLines } from '../../shared/visible-controls.ts';

const USAGE = `AuthLab — test email authentication (SPF, DKIM, DMARC, ARC, BIMI) step by step

Usage:
  authlab check FILE|- [options]   evaluate a message, headers or an mbox (authlab check --help)
  authlab keygen --type rsa|ed25519 [--bits N] --domain D --selector S
                                   create a signing key; prints the DNS record to publish
  authlab sign FILE|- --domain D --selector S [options]
                                   DKIM-sign (and ARC-seal) a message, then verify it round trip
  authlab keys list|show|export|delete|import|check
                                   the local key store (private keys encrypted at rest)
  authlab serve [--port N] [--no-open]
                                   open the inspector in a browser (loopback web host)
  authlab --version`;

// stdout is written straight to its descriptor (output.ts says why). stderr and stdin are built
// only when used: touching process.stdin builds its stream (and loads fs streams, readline and
// fs/promises, ~5 ms), and process.stderr a stream of its own.
const stdout = fdOutput(1, () => process.stdout);
const io = () => ({
  stdout,
  get stderr() {
    return process.stderr;
  },
  get stdin() {
    return process.stdin;
  },
});

/** Resolves when all output has been written out (bin/authlab.cjs waits for it before exiting). */
export function drained(): Promise<void> {
  return stdout.drained();
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'check': {
        const { runCheck } = await import('./check.ts');
        return await runCheck(rest, io());
      }
      case 'keygen': {
        const { runKeygen } = await import('./keygen.ts');
        return await runKeygen(rest, io());
      }
      case 'sign': {
        const { runSign } = await import('./sign.ts');
        return await runSign(rest, io());
      }
      case 'keys': {
        const { runKeys } = await import('./keys.ts');
        return await runKeys(rest, io());
      }
      case 'serve': {
        const { runServe } = await import('../web-host/serve.ts');
        return await runServe(rest);
      }
      case '--version':
      case '-v': {
        const { default: pkg } = (await import('../../package.json', { with: { type: 'json' } })) as { default: { version: string } };
        stdout.write(`authlab ${pkg.version} (node ${process.versions.node})\n`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        stdout.write(USAGE + '\n');
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${cmd}" (try: authlab --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { exitCode?: number }).exitCode === 2) {
      // a reason may quote the input (a zone line, a header value): shown, not obeyed (shared/visible-controls.ts)
      process.stderr.write(`authlab: ${showControlsKeepingLines((err as Error).message)}\n`);
      return 2;
    }
    process.stderr.write(`authlab: internal error: ${showControlsKeepingLines((err as Error)?.stack ?? String(err))}\n`);
    return 70;
  }
}
