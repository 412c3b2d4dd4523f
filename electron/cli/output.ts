// The CLI's stdout: written with fs.writeSync on file descriptor 1, not through process.stdout.
// Building process.stdout costs a one-message `authlab check` several ms (a pipe builds a
// net.Socket, a file a SyncWriteStream, both with the stream machinery); Node writes to files and
// pipes synchronously on Linux anyway. A descriptor that would block (a non-blocking pipe, EAGAIN)
// hands the rest of the output to process.stdout, in order. A reader that went away (EPIPE on a
// pipe, `authlab check big.mbox --json | head -1`; ECONNRESET on the socket pair a Node parent
// gives its child) ends the output quietly, as Unix tools do.

import { writeSync } from 'node:fs';

export interface Output {
  write(chunk: string | Uint8Array): void;
  /** A terminal (for colour); asked only by the text report. */
  readonly isTTY?: boolean;
  /** True once the reader went away: what is written from then on is dropped. */
  readonly closed?: boolean;
}

export interface FdOutput extends Output {
  readonly isTTY: boolean;
  /** Resolves once everything written has reached the descriptor (at once unless the stream took over). */
  drained(): Promise<void>;
}

export function fdOutput(fd: number, stream: () => NodeJS.WriteStream): FdOutput {
  let mode: 'sync' | 'stream' | 'closed' = 'sync';
  let tty: boolean | undefined;
  return {
    write(chunk) {
      if (mode === 'closed') return;
      if (mode === 'stream') {
        stream().write(chunk);
        return;
      }
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      try {
        while (bytes.length) bytes = bytes.subarray(writeSync(fd, bytes));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE' || code === 'ECONNRESET') mode = 'closed';
        else if (code === 'EAGAIN') {
          mode = 'stream';
          // the stream meets a reader that goes away later, asynchronously: end quietly then too
          stream().on('error', (e: NodeJS.ErrnoException) => {
            if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') throw e;
            mode = 'closed';
          });
          stream().write(bytes);
        } else throw err;
      }
    },
    get closed() {
      return mode === 'closed';
    },
    get isTTY() {
      // node:tty loads node:net, so only the text report (which asks) pays for it
      tty ??= process.getBuiltinModule('node:tty').isatty(fd);
      return tty;
    },
    drained() {
      return mode === 'stream' ? new Promise<void>((resolve) => stream().write('', () => resolve())) : Promise.resolve();
    },
  };
}
