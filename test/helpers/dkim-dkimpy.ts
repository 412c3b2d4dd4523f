// Signing with dkimpy (Debian's python3-dkim) for the interop tests: keys made with node:crypto
// in a temp dir, the message on stdin, the DKIM-Signature field on stdout.

import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A python that can `import dkim`, or undefined (the pyenv shim may shadow Debian's python). */
export function findDkimPython(): string | undefined {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import dkim, nacl.signing'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

// dkim.sign() has no x= option, so a signature with t=/x= goes through DKIM.gen_header, the
// method dkim.sign itself ends in, with the tag list written out the way dkim.sign writes it.
const SIGNER = String.raw`
import sys, json, base64, dkim, nacl.signing, nacl.encoding
def sign(a, msg):
  key = open(a['key'], 'rb').read()
  alg = a['alg'].encode()
  canon = tuple(x.encode() for x in a['c'].split('/'))
  include = [h.encode() for h in a['headers']]
  sel, dom = a['s'].encode(), a['d'].encode()
  if 't' not in a:
      sig = dkim.sign(msg, sel, dom, key, canonicalize=canon, signature_algorithm=alg, include_headers=include, length=a.get('l', False))
  else:
      d = dkim.DKIM(msg)
      d.signature_algorithm = alg
      pk = dkim.crypto.parse_pem_private_key(key) if alg.startswith(b'rsa') else nacl.signing.SigningKey(key, encoder=nacl.encoding.Base64Encoder)
      policy = dkim.CanonicalizationPolicy.from_c_value(b'/'.join(canon))
      inc = tuple(x.lower() for x in include)
      d.include_headers = inc
      d.hasher = dkim.HASH_ALGORITHMS[alg]
      bh = base64.b64encode(d.hasher(policy.canonicalize_body(d.body)).digest())
      fields = [(b'v', b'1'), (b'a', alg), (b'c', policy.to_c_value()), (b'd', dom), (b'i', b'@' + dom), (b'q', b'dns/txt'),
                (b's', sel), (b't', str(a['t']).encode()), (b'x', str(a['x']).encode()), (b'h', b' : '.join(inc)), (b'bh', bh), (b'b', b'0' * 60)]
      sig = b'DKIM-Signature: ' + d.gen_header(fields, inc, policy, b'DKIM-Signature', pk)
  return sig
jobs = json.load(sys.stdin)
json.dump([base64.b64encode(sign(j['opts'], base64.b64decode(j['message']))).decode() for j in jobs], sys.stdout)
`;

export interface Keys {
  dir: string;
  rsaPem: string;
  rsaDns: string;
  edSeed: string;
  edDns: string;
  cleanup(): void;
}

export function makeKeys(): Keys {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlab-dkim-'));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaPem = path.join(dir, 'rsa.pem');
  writeFileSync(rsaPem, rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }));
  const ed = generateKeyPairSync('ed25519');
  const edSeed = path.join(dir, 'ed25519.seed');
  // PKCS#8 DER of an Ed25519 key ends with the 32-byte seed, the SPKI DER with the raw public key
  writeFileSync(edSeed, (ed.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).subarray(-32).toString('base64'));
  writeFileSync(path.join(dir, 'signer.py'), SIGNER);
  return {
    dir,
    rsaPem,
    rsaDns: `v=DKIM1; k=rsa; p=${(rsa.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64')}`,
    edSeed,
    edDns: `v=DKIM1; k=ed25519; p=${(ed.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).subarray(-32).toString('base64')}`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface SignOptions {
  key: string;
  alg: 'rsa-sha256' | 'ed25519-sha256';
  c: string;
  s: string;
  d: string;
  headers: string[];
  l?: boolean;
  t?: number;
  x?: number;
}

/** Signs every job in one python run (starting python is the slow part); returns each message with dkimpy's DKIM-Signature prepended. */
export function dkimpySign(python: string, keys: Keys, jobs: { message: Buffer; opts: SignOptions }[]): Buffer[] {
  const input = JSON.stringify(jobs.map((j) => ({ message: j.message.toString('base64'), opts: j.opts })));
  const out = JSON.parse(execFileSync(python, [path.join(keys.dir, 'signer.py')], { input }).toString()) as string[];
  return out.map((sig, i) => Buffer.concat([Buffer.from(sig, 'base64'), jobs[i].message]));
}
