// Interoperability in both directions with independent DKIM implementations: Debian's dkimpy
// (python3-dkim), Perl Mail::DKIM (libmail-dkim-perl; Ed25519 needs libcryptx-perl) and
// OpenDKIM (opendkim-tools). Each peer is skipped with a message when it is not installed.
// OpenDKIM only reads keys from DNS through the system resolver, so it runs in a private
// mount+network namespace (unshare, root) whose /etc/resolv.conf points at a loopback server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKey, importPrivateKey, type SigningKey } from '../electron/engine/keys/dkim-key.ts';
import { signMessage, type Canonicalization } from '../electron/engine/signing/sign-message.ts';
import { arcSeal } from '../electron/engine/signing/arc-seal.ts';
import { createEngine } from '../electron/engine/engine.ts';
import { zoneText } from '../electron/engine/signing/round-trip.ts';
import { startDnsServer } from './helpers/dns-server.ts';
import { MemoryResolver } from '../electron/engine/dns/memory-resolver.ts';
import { plainMessage } from './helpers/signed-message.ts';

const PY = '/usr/bin/python3';
// async: the loopback DNS server for Mail::DKIM runs in this process's event loop
const execFileAsync = promisify(execFile);
const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasDkimpy = ok(PY, ['-c', 'import dkim, nacl']);
const hasPerl = ok('perl', ['-MMail::DKIM::Verifier', '-MNet::DNS', '-e1']);
// Mail::DKIM verifies Ed25519 from version 1.20230911 on (with CryptX); Debian 12 ships 1.20230212
const perlEd25519 = hasPerl && ok('perl', ['-MMail::DKIM::Algorithm::ed25519_sha256', '-MCrypt::PK::Ed25519', '-e1']);
const hasOpendkim = ok('sh', ['-c', 'command -v opendkim-testmsg']) && ok('unshare', ['-mn', 'true']) && ok(PY, ['-c', 'import dns.message']);
const skip = (has: boolean, what: string) => (has ? false : `${what} is not installed (apt-get install -y python3-dkim python3-nacl libmail-dkim-perl libcryptx-perl opendkim-tools)`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'authlab-interop-'));
const rsa = await generateKey({ domain: 'example.com', selector: 'rsa' });
const edKey = await generateKey({ domain: 'example.com', selector: 'ed', type: 'ed25519' });
const arcKey = await generateKey({ domain: 'forwarder.test', selector: 'arc' });
const keys = [rsa, edKey, arcKey];
const records: Record<string, string> = Object.fromEntries(keys.map((k) => [k.info.dnsName, k.info.dnsValue]));
writeFileSync(path.join(dir, 'records.json'), JSON.stringify(records));
const T = new Date(Date.now() - 60_000);

interface Case {
  name: string;
  key: SigningKey;
  canon: Canonicalization;
  l: boolean;
  overSign?: string[];
  file: string;
}
const cases: Case[] = [];
for (const key of [rsa, edKey]) {
  for (const canon of ['simple/simple', 'relaxed/relaxed', 'relaxed/simple'] as Canonicalization[]) {
    for (const l of [false, true]) {
      const name = `${key.info.type} ${canon}${l ? ' l=' : ''}`;
      cases.push({ name, key, canon, l, file: path.join(dir, `${cases.length}.eml`) });
    }
  }
}
cases.push({ name: 'rsa relaxed over-signed From:Subject:Reply-To', key: rsa, canon: 'relaxed/relaxed', l: false, overSign: ['From', 'Subject', 'Reply-To'], file: path.join(dir, 'over.eml') });
// a body with trailing blank lines and odd whitespace, where simple and relaxed differ
const body = 'Hello  Bob,\t\n\nline with trailing space \n\n\n';
for (const c of cases) {
  const res = await signMessage(Buffer.from(plainMessage({ body })), { keys: [{ key: c.key }], canonicalization: c.canon, bodyLength: c.l, overSign: c.overSign, signTime: T });
  writeFileSync(c.file, res.signed);
}
// negative control: every peer must fail this one
const tampered = path.join(dir, 'tampered.eml');
writeFileSync(tampered, readFileSync(cases[0].file, 'latin1').replace('Quarterly report', 'Quarterly rep0rt'), 'latin1');

const pyVerify = path.join(dir, 'verify.py');
writeFileSync(pyVerify, `import sys, json, dkim
recs = json.load(open(sys.argv[1]))
def dnsfunc(name, timeout=5):
    v = recs.get(name.decode() if isinstance(name, bytes) else name.rstrip('.'))
    if v is None: v = recs.get((name.decode() if isinstance(name, bytes) else name).rstrip('.'))
    return v.encode() if v is not None else None
mode = sys.argv[2]
for f in sys.argv[3:]:
    msg = open(f, 'rb').read()
    if mode == 'arc':
        cv, results, reason = dkim.arc_verify(msg, dnsfunc=dnsfunc)
        print(f, cv.decode(), reason)
    else:
        print(f, 'pass' if dkim.verify(msg, dnsfunc=dnsfunc) else 'fail')
`);

function lines(out: string): Map<string, string> {
  return new Map(out.trim().split('\n').filter(Boolean).map((l) => [l.split(' ')[0], l.split(' ').slice(1).join(' ')]));
}

test('dkimpy verifies AuthLab signatures (RSA and Ed25519, simple and relaxed, with and without l=)', { skip: skip(hasDkimpy, 'dkimpy (python3-dkim, python3-nacl)') }, () => {
  const out = lines(execFileSync(PY, [pyVerify, path.join(dir, 'records.json'), 'dkim', ...cases.map((c) => c.file), tampered], { encoding: 'utf8' }));
  for (const c of cases) assert.equal(out.get(c.file), 'pass', c.name);
  assert.equal(out.get(tampered), 'fail', 'a tampered message fails');
});

test('dkimpy validates an AuthLab ARC seal (arcverify)', { skip: skip(hasDkimpy, 'dkimpy (python3-dkim)') }, async () => {
  const sealed = await arcSeal(readFileSync(cases[1].file), { key: arcKey, authResults: 'mx.forwarder.test; dkim=pass header.d=example.com', signTime: T });
  const f = path.join(dir, 'arc.eml');
  writeFileSync(f, sealed.sealed);
  const out = lines(execFileSync(PY, [pyVerify, path.join(dir, 'records.json'), 'arc', f], { encoding: 'utf8' }));
  assert.match(out.get(f)!, /^pass/);
});

test('Perl Mail::DKIM verifies AuthLab signatures', { skip: skip(hasPerl, 'Mail::DKIM (libmail-dkim-perl)') }, async (t) => {
  const zone = new MemoryResolver();
  for (const [name, value] of Object.entries(records)) zone.add(name, { type: 'TXT', data: value.match(/.{1,255}/g)! });
  const server = await startDnsServer({ zone });
  try {
    const script = path.join(dir, 'verify.pl');
    writeFileSync(script, `use strict; use Mail::DKIM::Verifier; use Net::DNS; use Mail::DKIM::DNS;
Mail::DKIM::DNS::resolver(Net::DNS::Resolver->new(nameservers => ['${server.host}'], port => ${server.port}, recurse => 1));
for my $f (@ARGV) {
  open(my $fh, '<:raw', $f) or die; my $v = Mail::DKIM::Verifier->new;
  while (<$fh>) { s/\\r?\\n$/\\r\\n/; $v->PRINT($_); } $v->CLOSE;
  print "$f ", $v->result, " ", ($v->result_detail // ''), "\\n";
}`);
    const wanted = cases.filter((c) => c.key.info.type === 'rsa' || perlEd25519);
    if (!perlEd25519) t.diagnostic('Ed25519 skipped for Mail::DKIM: this version has no ed25519-sha256 (needs Mail::DKIM >= 1.20230911 and CryptX)');
    const out = lines((await execFileAsync('perl', [script, ...wanted.map((c) => c.file), tampered], { encoding: 'utf8' })).stdout);
    for (const c of wanted) assert.match(out.get(c.file)!, /^pass/, `${c.name}: ${out.get(c.file)}`);
    assert.match(out.get(tampered)!, /^fail/);
  } finally {
    await server.close();
  }
});

const dnsPy = `import socket, sys, json, dns.message, dns.rrset, dns.rdatatype, dns.rcode
recs = json.load(open(sys.argv[1]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 53))
print('ready', flush=True)
while True:
    data, addr = s.recvfrom(4096)
    q = dns.message.from_wire(data); r = dns.message.make_response(q); qq = q.question[0]
    name = str(qq.name).rstrip('.').lower()
    if name in recs and qq.rdtype == dns.rdatatype.TXT:
        v = recs[name]
        r.answer.append(dns.rrset.from_text(qq.name, 300, 'IN', 'TXT', ' '.join('"%s"' % v[i:i+255] for i in range(0, len(v), 255))))
    elif name not in recs:
        r.set_rcode(dns.rcode.NXDOMAIN)
    s.sendto(r.to_wire(), addr)
`;

/** Runs `inner` (a shell snippet) where the system resolver asks a loopback server for `records`. */
function inPrivateDns(inner: string): string {
  writeFileSync(path.join(dir, 'fake_dns.py'), dnsPy);
  writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions attempts:1 timeout:2\n');
  const script = `set -e; ip link set lo up; mount --bind ${dir}/resolv.conf /etc/resolv.conf
${PY} ${dir}/fake_dns.py ${dir}/records.json > ${dir}/dns.log 2>&1 & DNS=$!
for i in $(seq 50); do grep -q ready ${dir}/dns.log && break; sleep 0.05; done
set +e
${inner}
kill $DNS`;
  return execFileSync('unshare', ['-mn', 'sh', '-c', script], { encoding: 'utf8' });
}

test('OpenDKIM (opendkim-testmsg) verifies AuthLab signatures', { skip: skip(hasOpendkim, 'OpenDKIM (opendkim-tools) with unshare') }, (t) => {
  const files = [...cases.map((c) => c.file), tampered];
  const out = lines(inPrivateDns(`for f in ${files.join(' ')}; do err=$(opendkim-testmsg < $f 2>&1); echo "$f $? $err" | tr '\\n' ' '; echo; done`));
  for (const c of cases) {
    const r = out.get(c.file)!;
    if (c.key.info.type === 'ed25519' && /unsupported|unknown.*algorithm|ed25519/i.test(r) && !r.startsWith('0')) {
      t.diagnostic(`OpenDKIM does not verify Ed25519 here: ${r}`);
      continue;
    }
    assert.match(r, /^0\s*$/, `${c.name}: ${r}`);
  }
  assert.doesNotMatch(out.get(tampered)!, /^0\s*$/, 'a tampered message fails');
});

// ---------------------------------------------------------------- the reverse direction

const engine = createEngine();
async function engineVerdicts(bytes: Buffer, mode: 'strict' | 'lenient' = 'strict') {
  const res = await engine.evaluate(bytes, { mode }, { offline: true, zones: [{ name: 'peer', text: zoneText(keys.map((k) => k.info)) }] });
  const m = res.messages[0];
  assert.ok(m.ok);
  return m.dkim.map((d) => `${d.selector}:${d.result}${d.result === 'pass' ? '' : ` (${d.reason})`}`);
}

test('dkimpy-signed messages verify in AuthLab', { skip: skip(hasDkimpy, 'dkimpy (python3-dkim)') }, async () => {
  const edSeed = Buffer.from(createPrivateKey(edKey.privateKeyPem).export({ format: 'jwk' }).d!, 'base64url').toString('base64');
  const rsaPkcs1 = createPrivateKey(rsa.privateKeyPem).export({ format: 'pem', type: 'pkcs1' }).toString();
  writeFileSync(path.join(dir, 'rsa.pem'), rsaPkcs1);
  writeFileSync(path.join(dir, 'ed.key'), edSeed);
  writeFileSync(path.join(dir, 'plain.eml'), plainMessage({ body }));
  const signPy = path.join(dir, 'sign.py');
  writeFileSync(signPy, `import sys, dkim
msg = open(sys.argv[1], 'rb').read()
sel, alg, keyfile, canon, length = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6] == 'l'
h, b = canon.split('/')
sig = dkim.sign(msg, sel.encode(), b'example.com', open(keyfile, 'rb').read().strip(), signature_algorithm=alg.encode(), canonicalize=(h.encode(), b.encode()), length=length)
sys.stdout.buffer.write(sig + msg)
`);
  for (const [sel, alg, keyfile] of [['rsa', 'rsa-sha256', 'rsa.pem'], ['ed', 'ed25519-sha256', 'ed.key']]) {
    for (const canon of ['simple/simple', 'relaxed/relaxed']) {
      for (const l of ['', 'l']) {
        const signed = execFileSync(PY, [signPy, path.join(dir, 'plain.eml'), sel, alg, path.join(dir, keyfile), canon, l || '-']);
        assert.deepEqual(await engineVerdicts(signed), [`${sel}:pass`], `${alg} ${canon} ${l}`);
      }
    }
  }
});

test('Mail::DKIM- and OpenDKIM-signed messages verify in AuthLab', async (t) => {
  const rsaPkcs1 = path.join(dir, 'rsa1.pem');
  writeFileSync(rsaPkcs1, createPrivateKey(rsa.privateKeyPem).export({ format: 'pem', type: 'pkcs1' }).toString());
  const plain = path.join(dir, 'plain2.eml');
  writeFileSync(plain, plainMessage({ body }));
  if (hasPerl) {
    const script = path.join(dir, 'sign.pl');
    writeFileSync(script, `use strict; use Mail::DKIM::Signer;
my ($f, $key, $method) = @ARGV;
my $s = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256', Method => $method, Domain => 'example.com', Selector => 'rsa', KeyFile => $key);
open(my $fh, '<:raw', $f) or die; my $msg = do { local $/; <$fh> };
$s->PRINT($msg); $s->CLOSE; binmode STDOUT; print $s->signature->as_string, "\\r\\n", $msg;`);
    for (const method of ['simple', 'relaxed']) {
      const signed = execFileSync('perl', [script, plain, rsaPkcs1, method]);
      assert.deepEqual(await engineVerdicts(signed), ['rsa:pass'], `Mail::DKIM ${method}`);
    }
  } else t.diagnostic('Mail::DKIM is not installed: skipped');
  if (hasOpendkim) {
    // opendkim-testmsg always signs rsa-sha1, which RFC 8301 §3.1 forbids verifiers to accept:
    // strict mode says policy, lenient mode proves the signature itself verifies
    const signed = execFileSync('opendkim-testmsg', ['-C', '-d', 'example.com', '-s', 'rsa', '-k', rsaPkcs1], { input: readFileSync(plain) });
    assert.match(signed.toString('latin1'), /a=rsa-sha1/);
    const [strict] = await engineVerdicts(signed);
    assert.match(strict, /^rsa:policy .*RFC 8301/);
    assert.deepEqual(await engineVerdicts(signed, 'lenient'), ['rsa:pass'], 'OpenDKIM, lenient');
  } else t.diagnostic('OpenDKIM is not installed: skipped');
  if (!hasPerl && !hasOpendkim) t.skip('neither Mail::DKIM nor OpenDKIM is installed');
});

test('an imported dkimpy-style PKCS#1 key signs the same as the generated one', () => {
  const again = importPrivateKey(readFileSync(path.join(dir, 'rsa1.pem'), 'utf8'), { domain: 'example.com', selector: 'rsa' });
  assert.equal(again.info.publicKey, rsa.info.publicKey);
});
