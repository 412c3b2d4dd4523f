// Files handed to the app by the OS (argv, macOS "Open With", second instance) or chosen in a
// dialog, read as bytes and sent to the page as base64.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MAX_BYTES } from '../../shared/evaluate-options.ts';
import type { OpenedFile } from '../../shared/ipc/contract.ts';

/** The file arguments in a command line: after the executable (and the app path when not packaged). */
export function filesFromArgv(argv: readonly string[], opts: { isPackaged: boolean; cwd: string }): string[] {
  const args = argv.slice(opts.isPackaged ? 1 : 2);
  return args.filter((a) => a && !a.startsWith('-')).map((a) => path.resolve(opts.cwd, a));
}

export async function readOpenedFile(file: string, maxBytes = DEFAULT_MAX_BYTES): Promise<OpenedFile> {
  const st = await fs.stat(file);
  if (!st.isFile()) throw Object.assign(new Error(`${file} is not a file`), { code: 'io' });
  if (st.size > maxBytes) throw Object.assign(new Error(`${file} is larger than ${maxBytes} bytes`), { code: 'too-large' });
  const bytes = await fs.readFile(file);
  return { fileName: path.basename(file), messageBase64: bytes.toString('base64'), size: bytes.length };
}
