// The live-DNS path end to end: `authlab check --dns 127.0.0.1:PORT` against a real DNS server on
// loopback, for a pass, a server that never answers, SERVFAIL and truncated answers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './helpers/paths.ts';
import { startDnsServer, type Behaviour } from './helpers/dns-server.ts';
import { loadZones } from '../electron/engine/dns/zone-file.ts';
import { makeKey, signMessage, plainMessage, exampleZone } from './helpers/signed-message.ts';

let dir: string;
let msgFile: string;
let zoneText: string;

// Async spawn: the DNS server lives in this process and must keep answering while the CLI runs.
function authlab(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/authlab.cjs'), ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

const NAMES = ['example.com', 'sel1._domainkey.example.com', '_dmarc.example.com', 'mail.example.com', '_dmarc.com', 'default._bimi.example.com'];

async function serve(behaviour?: Behaviour) {
  const zone = loadZones([{ name: 'example.com', text: zoneText }]);
  const behaviours = behaviour ? Object.fromEntries(NAMES.map((n) => [n, behaviour])) : undefined;
  return startDnsServer({ zone, behaviours });
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'authlab-live-'));
  const key = makeKey('rsa', 2048);
  zoneText = exampleZone('sel1', key);
  msgFile = path.join(dir, 'signed.eml');
  writeFileSync(msgFile, await signMessage(plainMessage(), 'example.com', 'sel1', key));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('live DNS through --dns: SPF, DKIM and DMARC pass, every answer logged as live', async () => {
  const server = await serve();
  try {
    const r = await authlab(['check', msgFile, '--dns', server.server, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.spf.result, 'pass');
    assert.equal(j.dkim[0].result, 'pass');
    assert.equal(j.dmarc.result, 'pass');
    assert.ok(j.dns.length >= 4);
    assert.ok(j.dns.every((q: { source: string; server?: string }) => q.source === 'live' && q.server === server.server));
    assert.ok(server.count('udp') >= 4, 'the CLI really asked the server');
  } finally {
    await server.close();
  }
});

test('a server that never answers: temperror verdicts within a bounded time, not a hang', async () => {
  const server = await serve('drop');
  try {
    const r = await authlab(['check', msgFile, '--dns', server.server, '--timeout', '300', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.spf.result, 'temperror');
    assert.equal(j.dkim[0].result, 'temperror');
    assert.match(j.dkim[0].reason, /try again later|DNS/i);
    assert.ok(j.dns.some((q: { rcode: string }) => q.rcode === 'TIMEOUT'));
    // 2 tries × 300 ms per distinct question, a handful of questions: well under 15 s
    assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  } finally {
    await server.close();
  }
});

test('SERVFAIL is a temporary error, named in the log', async () => {
  const server = await serve('servfail');
  try {
    const r = await authlab(['check', msgFile, '--dns', server.server, '--json']);
    const j = JSON.parse(r.stdout);
    assert.equal(j.spf.result, 'temperror');
    assert.equal(j.dkim[0].result, 'temperror');
    assert.ok(j.dns.some((q: { rcode: string }) => q.rcode === 'SERVFAIL'));
  } finally {
    await server.close();
  }
});

test('truncated UDP answers are retried over TCP and the verdict is unchanged', async () => {
  const server = await serve('truncate');
  try {
    const r = await authlab(['check', msgFile, '--dns', server.server, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.dkim[0].result, 'pass');
    assert.equal(j.dmarc.result, 'pass');
    assert.ok(server.count('tcp') >= 3, 'answers came over TCP');
    assert.ok(j.dns.some((q: { transport?: string }) => q.transport === 'tcp'));
  } finally {
    await server.close();
  }
});
