// `authlab keygen`: create a DKIM key, store it encrypted, print the DNS record to publish.

import { UsageError } from './usage-error.ts';
import { openCliStore, parse, STORE_OPTIONS, userErrors, type CliIo } from './keys.ts';

export const KEYGEN_USAGE = `Usage: authlab keygen --domain D --selector S [--type rsa|ed25519] [--bits 1024|2048|4096] [--json]

Creates a DKIM key (RSA 2048 by default), stores it in the key store (encrypted with the
passphrase from AUTHLAB_PASSPHRASE or --passphrase-file) and prints the record to publish.`;

export async function runKeygen(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    ...STORE_OPTIONS,
    type: { type: 'string' },
    bits: { type: 'string' },
    domain: { type: 'string' },
    selector: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (v.help) {
    io.stdout.write(KEYGEN_USAGE + '\n');
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const type = (v.type as string | undefined) ?? 'rsa';
  if (type !== 'rsa' && type !== 'ed25519') throw new UsageError(`--type: "${type}" is not rsa or ed25519`);
  let bits: number | undefined;
  if (v.bits !== undefined) {
    if (type === 'ed25519') throw new UsageError('--bits is for RSA keys; Ed25519 keys have a fixed size');
    bits = Number(v.bits);
    if (![1024, 2048, 4096].includes(bits)) throw new UsageError(`--bits: "${v.bits}" is not 1024, 2048 or 4096`);
  }
  if (!v.domain || !v.selector) throw new UsageError('keygen needs --domain and --selector');
  const store = await openCliStore(v['passphrase-file'] as string | undefined, io.env ?? process.env);
  const { generateKey } = await import('../engine/keys/dkim-key.ts');
  const info = await userErrors(async () => store.add(await generateKey({ type, bits, domain: v.domain as string, selector: v.selector as string })));
  if (v.json) io.stdout.write(JSON.stringify(info) + '\n');
  else io.stdout.write(`key ${info.id} (${type}${type === 'rsa' ? ' ' + info.bits + ' bits' : ''}) stored in ${store.file}\npublish this record:\n${info.dnsRecord}\n`);
  return 0;
}
