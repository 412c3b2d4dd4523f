// `authlab keys list|show|export|delete|import|check`, and the key store opening shared by
// `authlab keygen` and `authlab sign`: passphrase from AUTHLAB_PASSPHRASE or --passphrase-file,
// data dir from AUTHLAB_HOME or the platform default.

import { readFile } from 'node:fs/promises';
import type { KeyInfo } from '../engine/keys/dkim-key.ts';
import type { KeyStore } from '../engine/keys/key-store.ts';
import { parseCommandLine, type OptionSpec } from './options.ts';
import type { Output } from './output.ts';
import { UsageError } from './usage-error.ts';

export interface CliIo {
  stdout: Output;
  stderr?: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env?: NodeJS.ProcessEnv;
}

export const KEYS_USAGE = `Usage: authlab keys COMMAND [options]

  list                  the stored keys (id, domain, selector, type, created)
  show ID               one key's details and the DNS record to publish
  export ID             print the private key (PKCS#8 PEM) — handle with care
  delete ID             remove a key from the store
  import FILE --domain D --selector S [--key-passphrase-file F]
                        store a PEM private key (PKCS#1, PKCS#8, encrypted PEM)
  check ID [--dns HOST[:PORT]]
                        compare the published key record (live DNS) with the key

Options:
  --passphrase-file F   the key store passphrase (else AUTHLAB_PASSPHRASE)
  --json                machine-readable output (list, show, check)

The store is <data dir>/keys/keys.json, shared with the app; the data dir is AUTHLAB_HOME
(default ~/.config/AuthLab on Linux, ~/Library/Application Support/AuthLab on macOS, %APPDATA%\\AuthLab on Windows).`;

export const STORE_OPTIONS: Record<string, OptionSpec> = { 'passphrase-file': { type: 'string' } };

/** Runs `fn` turning the engine's user-facing errors into one-line usage errors (exit 2). */
export async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const name = (err as Error)?.name;
    if (['KeyStoreError', 'KeyError', 'SigningError', 'RulesError', 'ArcSealError'].includes(name)) throw new UsageError((err as Error).message);
    throw err;
  }
}

export async function openCliStore(passphraseFile: string | undefined, env: NodeJS.ProcessEnv): Promise<KeyStore> {
  let passphrase = env.AUTHLAB_PASSPHRASE;
  if (passphraseFile) passphrase = (await readText('--passphrase-file', passphraseFile)).replace(/\r?\n$/, '');
  if (!passphrase) throw new UsageError('the key store needs a passphrase: set AUTHLAB_PASSPHRASE or give --passphrase-file FILE');
  const { openKeyStore } = await import('../engine/keys/key-store.ts');
  const { defaultDataDir, keyStoreDir } = await import('../engine/keys/data-dir.ts');
  return userErrors(() => openKeyStore(keyStoreDir(defaultDataDir(env)), { passphrase }));
}

export async function readText(flag: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

export type ArgValues = Record<string, string | boolean | string[] | undefined>;

/** A keys, keygen or sign command line, with -h/--help (options.ts reads it as parseArgs would). */
export function parse(argv: string[], options: Record<string, OptionSpec>): { values: ArgValues; positionals: string[] } {
  return parseCommandLine(argv, { ...options, help: { type: 'boolean', short: 'h' } });
}

export function describeKey(k: KeyInfo): string {
  return [
    `id:        ${k.id}`,
    `domain:    ${k.domain}`,
    `selector:  ${k.selector}`,
    `type:      ${k.type}${k.type === 'rsa' ? ` ${k.bits} bits` : ''} (${k.algorithm})`,
    `created:   ${k.created} (${k.origin})`,
    `record:    ${k.dnsName} TXT`,
    '',
    k.dnsRecord,
  ].join('\n');
}

export async function runKeys(argv: string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const { values: v, positionals } = parse(argv, {
    ...STORE_OPTIONS,
    json: { type: 'boolean' },
    domain: { type: 'string' },
    selector: { type: 'string' },
    'key-passphrase-file': { type: 'string' },
    dns: { type: 'string', multiple: true },
  });
  const [cmd, id, ...extra] = positionals;
  if (v.help || cmd === undefined) {
    io.stdout.write(KEYS_USAGE + '\n');
    return v.help ? 0 : 2;
  }
  if (!['list', 'show', 'export', 'delete', 'import', 'check'].includes(cmd)) throw new UsageError(`unknown keys command "${cmd}" (list, show, export, delete, import, check)`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (cmd !== 'list' && !id) throw new UsageError(`keys ${cmd} needs ${cmd === 'import' ? 'a FILE' : 'a key ID'} (see authlab keys list)`);
  if (cmd === 'list' && id) throw new UsageError(`unexpected argument "${id}"`);
  const store = await openCliStore(v['passphrase-file'] as string | undefined, env);
  return userErrors(async () => {
    switch (cmd) {
      case 'list': {
        const keys = store.list();
        if (v.json) io.stdout.write(JSON.stringify(keys) + '\n');
        else if (!keys.length) io.stdout.write(`no keys in ${store.file} (create one: authlab keygen --domain D --selector S)\n`);
        else for (const k of keys) io.stdout.write(`${k.id}  ${k.selector}._domainkey.${k.domain}  ${k.type}${k.type === 'rsa' ? '-' + k.bits : ''}  ${k.created.slice(0, 10)}\n`);
        return 0;
      }
      case 'show': {
        const k = store.get(id);
        io.stdout.write((v.json ? JSON.stringify(k) : describeKey(k)) + '\n');
        return 0;
      }
      case 'export':
        io.stdout.write(await store.exportPrivateKey(id));
        return 0;
      case 'delete':
        await store.delete(id);
        io.stdout.write(`deleted ${id}\n`);
        return 0;
      case 'import': {
        if (!v.domain || !v.selector) throw new UsageError('keys import needs --domain and --selector (where the key record will be published)');
        const { importPrivateKey } = await import('../engine/keys/dkim-key.ts');
        const pem = await readText('import', id);
        const kp = v['key-passphrase-file'] as string | undefined;
        const passphrase = kp ? (await readText('--key-passphrase-file', kp)).replace(/\r?\n$/, '') : undefined;
        const info = await store.add(importPrivateKey(pem, { domain: v.domain as string, selector: v.selector as string, passphrase }));
        io.stdout.write(`imported ${info.id} (${info.type}${info.type === 'rsa' ? ' ' + info.bits : ''}) into ${store.file}\npublish this record:\n${info.dnsRecord}\n`);
        return 0;
      }
      default: {
        const k = store.get(id);
        const { LiveResolver } = await import('../engine/dns/live-resolver.ts');
        const { checkPublished } = await import('../engine/keys/key-record.ts');
        const res = await checkPublished(k, new LiveResolver({ servers: v.dns as string[] | undefined }));
        io.stdout.write((v.json ? JSON.stringify(res) : `${res.status}: ${res.detail}`) + '\n');
        return res.status === 'matching' ? 0 : 1;
      }
    }
  });
}
