// The bundled CLI (scripts/build-cli.mjs → dist/cli/authlab.cjs) answers exactly like the
// TypeScript sources, keeps its lazy stand-ins loadable, and bin/authlab.cjs never runs a stale
// bundle and runs a fresh one from a V8 code cache that is its own.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './helpers/paths.ts';
import { exampleZone, keyRecordLine, makeKey, plainMessage, signMessage, type TestKey } from './helpers/signed-message.ts';
import { startDnsServer } from './helpers/dns-server.ts';
import { runProbe } from './helpers/probe.ts';

interface BuildCliModule {
  buildCli(opts?: { outDir?: string; logLevel?: string }): Promise<{ entry: string; external: string[] }>;
  bundleIsFresh(outDir?: string): boolean;
  lazyStandIns(): unknown;
  lazyBuiltins(): unknown;
  coldLoadRewrites(): unknown;
  packTypedArrayLiterals(source: string): { text: string; count: number };
  int32Djb2(source: string): { text: string; count: number };
  deferredModules(deferred?: Record<string, string[]>): unknown;
  mailauthRewrites(rewrites?: { file: string }[]): unknown;
  MAILAUTH_REWRITES: { file: string }[];
  BUNDLE_FORMAT: string;
  BUNDLE_WRAPPER: { open: string; close: string };
}
const buildScript = path.join(repoRoot, 'scripts/build-cli.mjs');
const { buildCli, bundleIsFresh, lazyStandIns, lazyBuiltins, coldLoadRewrites, packTypedArrayLiterals, int32Djb2, deferredModules, mailauthRewrites, MAILAUTH_REWRITES, BUNDLE_FORMAT, BUNDLE_WRAPPER } = (await import(
  pathToFileURL(buildScript).href
)) as BuildCliModule;

let dir: string;
let outDir: string; // inside the repo, so the bundle resolves node_modules as dist/cli does
let bundle: string;
let external: string[] = [];
let key: TestKey;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'authlab-cli-bundle-'));
  outDir = path.join(repoRoot, 'dist', `.cli-test-${process.pid}`);
  ({ entry: bundle, external } = await buildCli({ outDir }));
  key = makeKey('rsa', 2048);
  const signed = await signMessage(plainMessage(), 'example.com', 'sel1', key);
  writeFileSync(path.join(dir, 'example.zone'), exampleZone('sel1', key));
  writeFileSync(path.join(dir, 'signed.eml'), signed);
  writeFileSync(path.join(dir, 'tampered.eml'), signed.replace('Subject: Quarterly report', 'Subject: Quarterly report (edited)'));
  // d= a subdomain of the From domain: aligned only through the organisational domain (relaxed)
  writeFileSync(path.join(dir, 'subdomain.eml'), await signMessage(plainMessage(), 'mail.example.com', 'sel1', key));
  writeFileSync(path.join(dir, 'subdomain.zone'), exampleZone('sel1', key) + keyRecordLine('sel1', 'mail.example.com', key) + '\n');
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

/** Runs main() from a module (the bundle or the sources) the way bin/authlab.cjs does. */
function runMain(moduleFile: string, args: string[], nodeArgs: string[] = []) {
  const runner = path.join(dir, 'run-main.mjs');
  writeFileSync(runner, 'const { main } = await import(process.argv[2]);\nprocess.exitCode = await main(process.argv.slice(3));\n');
  const r = spawnSync(process.execPath, [...nodeArgs, runner, pathToFileURL(moduleFile).href, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** runMain without blocking this process's event loop (for tests that serve something to the child). */
function runMainAsync(moduleFile: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const runner = path.join(dir, 'run-main.mjs');
  writeFileSync(runner, 'const { main } = await import(process.argv[2]);\nprocess.exitCode = await main(process.argv.slice(3));\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, pathToFileURL(moduleFile).href, ...args], { cwd: dir, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const source = () => path.join(repoRoot, 'electron/cli/main.ts');
const withoutTimings = (json: string) => JSON.parse(json, (k, v) => (k === 'ms' && typeof v === 'number' ? undefined : v));

test('the bundle gives the same --json reports as the sources', () => {
  for (const file of ['signed.eml', 'tampered.eml']) {
    const args = ['check', file, '--zone', 'example.zone', '--offline', '--json', '--at', '2026-11-24T10:05:00Z'];
    const fromBundle = runMain(bundle, args);
    const fromSource = runMain(source(), args);
    assert.equal(fromBundle.code, 0, fromBundle.stderr);
    assert.equal(fromSource.code, 0, fromSource.stderr);
    const b = withoutTimings(fromBundle.stdout);
    assert.deepEqual(b, withoutTimings(fromSource.stdout), file);
    if (file === 'signed.eml') assert.deepEqual([b.spf.result, b.dkim[0].result, b.dmarc.result], ['pass', 'pass', 'pass']);
    else assert.equal(b.dkim[0].result, 'fail', 'a changed signed header fails DKIM');
  }
  // d= a subdomain of the From domain: the bundle's deferred public-suffix list runs for it
  const sub = ['check', 'subdomain.eml', '--zone', 'subdomain.zone', '--offline', '--json', '--at', '2026-11-24T10:05:00Z'];
  const subBundle = withoutTimings(runMain(bundle, sub).stdout);
  assert.deepEqual(subBundle, withoutTimings(runMain(source(), sub).stdout), 'subdomain.eml');
  assert.deepEqual([subBundle.dkim[0].domain, subBundle.dkim[0].result, subBundle.dmarc.result], ['mail.example.com', 'pass', 'pass']);
  assert.equal(subBundle.dmarc.alignment.dkim[0].aligned, true, 'relaxed: same organisational domain');
  // and the same exit status for a --fail-on condition
  const failOn = ['check', 'tampered.eml', '--zone', 'example.zone', '--offline', '--json', '--fail-on', 'dkim', '--at', '2026-11-24T10:05:00Z'];
  assert.equal(runMain(bundle, failOn).code, 1);
});

test('the bundle evaluates an mbox on worker threads from its own worker script (engine-worker.cjs beside it)', async () => {
  const signed = readFileSync(path.join(dir, 'signed.eml'), 'utf8');
  const mbox = [0, 1, 2, 3].map((i) => `From a@example.com Tue Nov 24 10:0${i}:00 2026\n${signed.replace('Subject: Quarterly report', `Subject: Quarterly report ${i}`)}`).join('\n');
  writeFileSync(path.join(dir, 'four.mbox'), mbox);
  const args = ['check', 'four.mbox', '--zone', 'example.zone', '--offline', '--json', '--at', '2026-11-24T10:05:00Z'];
  const pooled = runMain(bundle, [...args, '--workers', '2']);
  assert.equal(pooled.code, 0, pooled.stderr);
  assert.equal(pooled.stderr, '', 'no warnings');
  const lines = (out: string) => out.trim().split('\n').map(withoutTimings);
  assert.deepEqual(lines(pooled.stdout), lines(runMain(source(), [...args, '--workers', '1']).stdout));
  // the signature covers Subject, so every edited copy fails: real verdicts, from the workers
  assert.deepEqual(lines(pooled.stdout).map((j) => j.dkim[0].result), ['fail', 'fail', 'fail', 'fail']);
  assert.ok(readdirSync(outDir).includes('engine-worker.cjs'));
});

test('--help, check --help and --version work from the bundle', () => {
  const help = runMain(bundle, ['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^AuthLab — test email authentication/);
  assert.equal(help.stdout, runMain(source(), ['--help']).stdout);
  const checkHelp = runMain(bundle, ['check', '--help']);
  assert.equal(checkHelp.code, 0, checkHelp.stderr);
  assert.match(checkHelp.stdout, /Usage: authlab check FILE\|- \[options\]/);
  const version = runMain(bundle, ['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^authlab \d+\.\d+\.\d+ \(node /);
  const bad = runMain(bundle, ['frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
});

test('the bundled check loads no package from node_modules: all it needs is inside, the stand-ins stay unloaded', () => {
  const probe = path.join(dir, 'probe.mjs');
  writeFileSync(
    probe,
    "import { createRequire } from 'node:module';\nconst cache = createRequire(import.meta.url).cache;\n" +
      // read before anything builds process.stderr (which loads stream modules of its own)
      "process.on('exit', () => { const b = process.moduleLoadList.slice(); process.getBuiltinModule('node:fs').writeSync(2, 'LOADED ' + JSON.stringify(Object.keys(cache)) + '\\nBUILTINS ' + JSON.stringify(b) + '\\n'); });\n",
  );
  const r = runMain(bundle, ['check', 'signed.eml', '--zone', 'example.zone', '--offline', '--json'], ['--import', pathToFileURL(probe).href]);
  assert.equal(r.code, 0, r.stderr);
  const loaded = JSON.parse(/LOADED (.*)/.exec(r.stderr)![1]) as string[];
  assert.deepEqual(loaded.filter((f) => f.includes('node_modules')), [], 'a package loaded from disk means the bundle missed it (or loads mailauth twice)');
  const builtins = JSON.parse(/BUILTINS (.*)/.exec(r.stderr)![1]) as string[];
  assert.deepEqual(
    builtins.filter((m) => /^NativeModule (https|tls|_http_client|dgram|child_process|dns|net)$/.test(m)),
    [],
    'an offline check loads none of the network built-ins',
  );
  // nor what only costs start-up time: a stdout/stderr stream (output.ts writes to the descriptor),
  // perf_hooks (monotonic-clock.ts), tty (asked only for the text report's colour)
  assert.deepEqual(
    builtins.filter((m) => /^NativeModule (perf_hooks|tty|internal\/fs\/sync_write_stream|internal\/stream_base_commons)$/.test(m)),
    [],
    'a JSON check builds no stdio stream and loads no perf_hooks',
  );
  assert.deepEqual(external.filter((e) => !e.startsWith('node:') && !/^[a-z_]+$/.test(e)), [], 'only Node built-ins stay external');
});

/** Bundles a probe script with esbuild (the given plugins and format) beside the CLI bundle, runs it, and returns what it printed as JSON. */
async function bundleAndRun(name: string, source: string[], options: { format: 'esm' | 'cjs'; plugins: unknown[]; banner?: string }): Promise<unknown> {
  const { build } = await import('esbuild');
  const entry = path.join(outDir, `${name}-entry.mjs`);
  writeFileSync(entry, source.join('\n'));
  const out = path.join(outDir, `${name}-out.${options.format === 'esm' ? 'mjs' : 'cjs'}`);
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: options.format,
    target: 'node24',
    ...(options.banner ? { banner: { js: options.banner } } : {}),
    plugins: options.plugins as never[],
    logLevel: 'warning',
  });
  const r = spawnSync(process.execPath, [out], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('a lazy stand-in loads the real package on first use, and a deferred instance becomes the real one', async () => {
  const printed = await bundleAndRun(
    'lazy',
    [
      "import { createRequire } from 'node:module';",
      "import http from 'node:http';",
      "import { Agent, fetch } from 'undici';",
      'const cache = createRequire(import.meta.url).cache;',
      "const loaded = () => Object.keys(cache).some((k) => k.includes('/node_modules/undici/'));",
      'const agent = new Agent({ connect: { timeout: 5000 } }); // module-level, as mailauth does',
      'const atStart = loaded();',
      "const server = http.createServer((q, s) => s.end('hello')).listen(0, '127.0.0.1', async () => {",
      '  const res = await fetch(`http://127.0.0.1:${server.address().port}/`, { dispatcher: agent });',
      '  const body = await res.text();',
      '  await agent.close();',
      '  server.close();',
      '  console.log(JSON.stringify({ atStart, afterUse: loaded(), body }));',
      '});',
    ],
    { format: 'esm', plugins: [lazyStandIns()], banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  );
  assert.deepEqual(printed, { atStart: false, afterUse: true, body: 'hello' });
});

test('a lazy built-in and a namespace read off it at load time (node:dns and its .promises) load on first real use', async () => {
  const printed = await bundleAndRun(
    'lazy-dns',
    [
      "import { getServers } from 'node:dns';",
      "const dnsPromises = require('node:dns').promises; // as mailauth reads it at load time",
      "const loaded = () => process.moduleLoadList.includes('NativeModule dns');",
      'const atStart = loaded();',
      "// read through its property descriptor (as an ESM importer's interop copies exports): the same lazy part",
      "const viaDescriptor = Object.getOwnPropertyDescriptor(require('node:dns'), 'promises').get() === dnsPromises && !loaded();",
      'const servers = getServers();',
      'const afterUse = loaded();',
      "const real = process.getBuiltinModule('node:dns/promises');",
      'console.log(JSON.stringify({ atStart, viaDescriptor, afterUse, servers: Array.isArray(servers), same: dnsPromises.resolve === real.resolve, keys: Object.keys(dnsPromises).length === Object.keys(real).length }));',
    ],
    { format: 'cjs', plugins: [lazyBuiltins()] },
  );
  assert.deepEqual(printed, { atStart: false, viaDescriptor: true, afterUse: true, servers: true, same: true, keys: true });
});

test('packed typed-array literals: a literal becomes base64 that decodes to the same values; what does not fit is left alone', () => {
  const { text, count } = packTypedArrayLiterals('const a = new Uint16Array([0, 65535, 258, 1]);\nconst b = new Uint8Array([7, 255]);\nconst c = new Uint8Array([256]);\nmodule.exports = { a, b, c };');
  assert.equal(count, 2);
  assert.match(text, /new Uint8Array\(\[256\]\)/, 'a value that does not fit stays a literal');
  assert.doesNotMatch(text, /65535/);
  const mod = { exports: {} as Record<string, Uint8Array | Uint16Array> };
  new Function('module', 'Buffer', text)(mod, Buffer);
  assert.deepEqual([...mod.exports.a!], [0, 65535, 258, 1]);
  assert.ok(mod.exports.a instanceof Uint16Array);
  assert.deepEqual([...mod.exports.b!], [7, 255]);
  assert.deepEqual([...mod.exports.c!], [0]); // as the literal itself gives
});

test('int32Djb2: the rewritten djb2 step gives the very hashes of (h * 33) ^ c', () => {
  const step = 'function djb2(s) { let hash = 5381; for (let i = s.length - 1; i >= 0; i -= 1) { hash = (hash * 33) ^ s.charCodeAt(i); } return hash >>> 0; }\nmodule.exports = djb2;';
  const { text, count } = int32Djb2(step);
  assert.equal(count, 1);
  assert.match(text, /hash = Math\.imul\(hash, 33\) \^ s\.charCodeAt\(i\)/);
  const load = (src: string) => {
    const mod = { exports: (() => 0) as (s: string) => number };
    new Function('module', src)(mod);
    return mod.exports;
  };
  const [before, after] = [load(step), load(text)];
  // labels long enough for the product to pass 2^53 had the step not been cut to int32 by ^
  const labels = ['', 'a', 'com', 'kawasaki', 'xn--85x722f', 'very-long-label-'.repeat(8), ...Array.from({ length: 2000 }, (_, i) => (i * 7919).toString(36).repeat(1 + (i % 9)))];
  for (const l of labels) assert.equal(after(l), before(l), l);
});

test('packed typed-array literals: the bundled tldts (its trie packed) finds the same public suffixes and domains as tldts', async () => {
  const tldtsFile = path.join(repoRoot, 'node_modules/tldts/dist/cjs/index.js');
  assert.equal(packTypedArrayLiterals(readFileSync(tldtsFile, 'utf8')).count, 4, "tldts' four trie arrays are packed (a new tldts layout shows here)");
  assert.equal(int32Djb2(readFileSync(tldtsFile, 'utf8')).count, 2, "tldts' two djb2 steps (the labels at load, a host name's labels at lookup) are rewritten");
  const hosts = [
    'example.com', 'mail.example.co.uk', 'a.b.c.example.com.au', 'localhost', 'com', 'co.uk', 'foo.bar.kawasaki.jp', 'city.kawasaki.jp',
    'www.city.kawasaki.jp', 'x.y.compute.amazonaws.com', 'bucket.s3.amazonaws.com', 'user.github.io', 'a.blogspot.com', 'shop.myshopify.com',
    'mail.google.com', 'news.bbc.co.uk', 'xn--85x722f.xn--55qx5d.cn', '食狮.公司.cn', 'münchen.de', 'a.b.ck', 'www.ck', 'sub.example.xn--p1ai',
    'x.pvt.k12.ma.us', 'mx.example.invalid', 'example.notatld', '192.0.2.1', '[2001:db8::1]', 'a..b.com', 'trailing.example.com.', '',
    'deep.sub.domain.example.gov.uk', 'a.appspot.com', 'b.herokuapp.com', 'c.cloudfront.net', 'd.netlify.app', 'e.vercel.app', 'f.pages.dev',
  ];
  const probe = [
    `const tldts = require('tldts');`,
    `const hosts = ${JSON.stringify(hosts)};`,
    'const out = hosts.map((h) => [tldts.getPublicSuffix(h), tldts.getDomain(h), tldts.getDomain(h, { allowPrivateDomains: true }), tldts.parse(h, { allowPrivateDomains: true }).isIcann]);',
    'console.log(JSON.stringify(out));',
  ];
  const packed = await bundleAndRun('packed-tldts', probe, { format: 'cjs', plugins: [coldLoadRewrites()] });
  assert.deepEqual(packed, runProbe(probe)); // the real tldts
  assert.equal((packed as unknown[][])[1]![1], 'example.co.uk'); // not an empty answer twice
});

test('a deferred module stays in the bundle but runs on first use; libmime with its MIME table deferred answers as libmime', async () => {
  const pkg = path.join(outDir, 'node_modules', 'deferred-probe-pkg');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), '{ "name": "deferred-probe-pkg", "type": "commonjs" }\n'); // the repo's package.json says module
  writeFileSync(path.join(pkg, 'index.js'), "const table = require('./table');\nexports.rows = () => table.rows;\n");
  writeFileSync(path.join(pkg, 'table.js'), 'globalThis.tableRan = (globalThis.tableRan ?? 0) + 1;\nexports.rows = [1, 2, 3];\n');
  const printed = await bundleAndRun(
    'deferred',
    ["const pkg = require('deferred-probe-pkg');", 'const atStart = globalThis.tableRan ?? 0;', 'const rows = pkg.rows();', 'pkg.rows();', 'console.log(JSON.stringify({ atStart, rows, ran: globalThis.tableRan }));'],
    { format: 'cjs', plugins: [deferredModules({ 'deferred-probe-pkg/table.js': ['rows'] })] },
  );
  assert.deepEqual(printed, { atStart: 0, rows: [1, 2, 3], ran: 1 });

  const probe = [
    "const libmime = require('libmime');",
    "const names = ['report.pdf', 'photo.JPG', 'a.tar.gz', 'noext', 'x.eml', 'y.weird'];",
    "const types = ['application/pdf', 'image/png', 'text/plain', 'message/rfc822', 'application/x-unknown', 'text/html; charset=utf-8'];",
    "console.log(JSON.stringify({ mime: names.map((n) => libmime.detectMimeType(n)), ext: types.map((t) => libmime.detectExtension(t)), words: libmime.decodeWords('=?utf-8?q?caf=C3=A9?=') }));",
  ];
  // the layout the deferral matches on (a new libmime layout shows here, not as a silent miss)
  assert.match(readFileSync(path.join(repoRoot, 'node_modules/libmime/lib/libmime.js'), 'utf8'), /require\('\.\/mimetypes'\)/);
  const deferred = await bundleAndRun('deferred-libmime', probe, { format: 'cjs', plugins: [deferredModules()] });
  assert.deepEqual(deferred, runProbe(probe)); // the real libmime
  assert.equal((deferred as { mime: string[] }).mime[0], 'application/pdf');
});

test("the alignment shortcut answers as mailauth's getAlignment, and the deferred tldts runs only when a lookup needs it", async () => {
  // every relaxed and strict case the shortcut could change: a name against itself (case, trailing
  // dots, IDN, public suffixes, the empty and root names), against a subdomain, lists of several
  const names = ['example.com', 'Example.COM', 'example.com.', 'mail.example.com', 'co.uk', 'example.co.uk', 'a.b.example.co.uk', 'com', 'münchen.de', 'xn--mnchen-3ya.de', '', '.', '..', ' ', 'localhost', '192.0.2.1', 'a.appspot.com', 'appspot.com', 'x.pvt.k12.ma.us'];
  const cases: [string, (string | { domain: string; underSized?: number })[], boolean | undefined][] = [];
  for (const from of names) {
    for (const strict of [false, true, undefined]) {
      cases.push([from, [from], strict], [from, [{ domain: from }], strict], [from, [from, 'example.com'], strict], [from, [{ domain: from, underSized: 1 }, { domain: 'mail.' + from }], strict]);
      for (const other of ['example.com', 'mail.example.com', 'EXAMPLE.com.', 'co.uk']) cases.push([from, [other], strict]);
    }
  }
  const probe = [
    "const { getAlignment } = require('mailauth/lib/tools.js');",
    `const cases = ${JSON.stringify(cases)};`,
    'console.log(JSON.stringify(cases.map(([from, list, strict]) => getAlignment(from, list, strict))));',
  ];
  const shortcut = (await bundleAndRun('alignment-shortcut', probe, {
    format: 'cjs',
    // this probe bundles tools.js alone: only its rewrites (a rewrite whose file is not bundled fails the build)
    plugins: [mailauthRewrites(MAILAUTH_REWRITES.filter((r) => r.file === 'lib/tools.js'))],
  })) as unknown[];
  assert.deepEqual(shortcut, runProbe(probe), "mailauth's own getAlignment");
  assert.ok(shortcut.filter(Boolean).length > 50 && shortcut.includes(false), 'both outcomes are exercised');

  // tldts behind the deferral: not run by the require, run by the first lookup, the same answers
  const tldtsProbe = [
    "const tldts = require('tldts');",
    'const ranEarly = globalThis.__tldtsRan === true;',
    "const out = [tldts.getDomain('a.b.example.co.uk'), tldts.getPublicSuffix('x.pvt.k12.ma.us'), tldts.getDomain('a.appspot.com', { allowPrivateDomains: true })];",
    'console.log(JSON.stringify({ ranEarly, out }));',
  ];
  const deferredTldts = (await bundleAndRun('deferred-tldts', tldtsProbe, {
    format: 'cjs',
    plugins: [deferredModules(), { name: 'mark-tldts-run', setup(b: { onLoad: (o: unknown, f: (a: { path: string }) => unknown) => void }) { b.onLoad({ filter: /tldts[\\/]dist[\\/]cjs[\\/]index\.js$/ }, (a) => ({ contents: 'globalThis.__tldtsRan = true;\n' + readFileSync(a.path, 'utf8'), loader: 'js' })); } }],
  })) as { ranEarly: boolean; out: unknown[] };
  assert.equal(deferredTldts.ranEarly, false, 'require() alone does not run the public-suffix list');
  assert.deepEqual(deferredTldts.out, ['example.co.uk', 'pvt.k12.ma.us', 'a.appspot.com']);
});

test("the lazy PEM rewrites: mailauth.authenticate answers as before, each key's PEM included, over keys that pass, fail and are refused", async () => {
  // keys of every kind getPublicKey reads or refuses, each signing its own copy of the message
  const ed = makeKey('ed25519');
  const short = makeKey('rsa', 512);
  const rsaSpki = Buffer.from(key.publicKeyB64, 'base64');
  const pkcs1 = createPublicKey({ key: rsaSpki, format: 'der', type: 'spki' }).export({ format: 'der', type: 'pkcs1' }).toString('base64');
  const txt = (value: string) => [value.match(/.{1,255}/g) ?? ['']];
  const records: Record<string, string[][]> = {
    'example.com': txt('v=spf1 ip4:192.0.2.0/24 -all'),
    '_dmarc.example.com': txt('v=DMARC1; p=reject'),
    'sel1._domainkey.example.com': txt(`v=DKIM1; k=rsa; p=${key.publicKeyB64}`),
    'ed._domainkey.example.com': txt(`v=DKIM1; k=ed25519; p=${ed.publicKeyB64}`),
    'pk1._domainkey.example.com': txt(`v=DKIM1; k=rsa; p=${pkcs1}`),
    'gone._domainkey.example.com': txt('v=DKIM1; k=rsa; p='),
    'bad._domainkey.example.com': txt('v=DKIM1; k=rsa; p=!!not-base64!!'),
    'short._domainkey.example.com': txt(`v=DKIM1; k=rsa; p=${short.publicKeyB64}`),
    'wrong._domainkey.example.com': txt(`v=DKIM1; k=ed25519; p=${key.publicKeyB64}`),
  };
  const signedWith = (selector: string, k: TestKey) => signMessage(plainMessage(), 'example.com', selector, k);
  const messages: string[] = [
    await signedWith('sel1', key),
    (await signedWith('sel1', key)).replace('Subject: Quarterly report', 'Subject: changed'),
    await signedWith('ed', ed),
    await signedWith('pk1', key),
    await signedWith('gone', key),
    await signedWith('bad', key),
    await signedWith('short', short),
    await signedWith('wrong', key),
  ];
  // and an ARC set sealed over the first, its seal checked with the same key record
  const { sealMessage } = await import('mailauth/lib/arc/index.js');
  const seal = await sealMessage(Buffer.from(messages[0]!), {
    signingDomain: 'example.com',
    selector: 'sel1',
    privateKey: key.privateKeyPem,
    authResults: 'mx.forwarder.test; dkim=pass header.d=example.com',
    cv: 'none',
  } as never);
  messages.push(seal.toString() + messages[0]);
  const files = messages.map((m, i) => {
    const file = path.join(dir, `pem-${i}.eml`);
    writeFileSync(file, m);
    return file;
  });
  const probe = [
    "const { authenticate } = require('mailauth');",
    "const fs = require('node:fs');",
    `const records = ${JSON.stringify(records)};`,
    `const files = ${JSON.stringify(files)};`,
    "const resolver = async (name, type) => { const r = type === 'TXT' && records[name.toLowerCase()]; if (!r) throw Object.assign(new Error('no ' + name), { code: 'ENOTFOUND' }); return r; };",
    '(async () => {',
    '  const out = [];',
    "  for (const f of files) for (const strict of [true, false]) out.push(await authenticate(fs.readFileSync(f), { resolver, strict, ip: '192.0.2.10', helo: 'mail.example.com', sender: 'bounces@example.com', mta: 'mx.test' }));",
    '  console.log(JSON.stringify(out));',
    '})();',
  ];
  type Result = { dkim: { results: { status: { result: string }; publicKey?: string }[] }; arc: { status: { result: string } } };
  const rewritten = (await bundleAndRun('lazy-pem', probe, { format: 'cjs', plugins: [mailauthRewrites()] })) as Result[];
  assert.deepEqual(rewritten, runProbe(probe), "mailauth's own results");
  // what the cases are: strict mode's DKIM verdict for each, and the ARC set's
  const strictDkim = rewritten.filter((_, i) => i % 2 === 0).map((r) => r.dkim.results[0]!.status.result);
  assert.deepEqual(strictDkim, ['pass', 'fail', 'pass', 'pass', 'neutral', 'neutral', 'policy', 'neutral', 'pass']);
  assert.match(rewritten[0]!.dkim.results[0]!.publicKey ?? '', /^-----BEGIN (RSA )?PUBLIC KEY-----/);
  assert.equal(rewritten[16]!.arc.status.result, 'pass');
});

test('bin/authlab.cjs runs the bundle only while it is newer than its sources', () => {
  // a miniature checkout: the real launcher, a fake bundle and fake sources that say who answered
  const tree = path.join(dir, 'tree');
  mkdirSync(path.join(tree, 'bin'), { recursive: true });
  mkdirSync(path.join(tree, 'dist/cli'), { recursive: true });
  mkdirSync(path.join(tree, 'electron/cli'), { recursive: true });
  cpSync(path.join(repoRoot, 'bin/authlab.cjs'), path.join(tree, 'bin/authlab.cjs'));
  writeFileSync(path.join(tree, 'package.json'), '{"type":"module"}\n');
  const answer = (who: string) => `async function main() { process.stdout.write(${JSON.stringify(who)}); return 0; }\n`;
  writeFileSync(path.join(tree, 'electron/cli/main.ts'), 'export ' + answer('source'));
  writeFileSync(path.join(tree, 'electron/cli/check.ts'), 'export {};\n');
  writeFileSync(path.join(tree, 'dist/cli/authlab.cjs'), BUNDLE_WRAPPER.open + answer('bundle') + 'exports.main = main;' + BUNDLE_WRAPPER.close);
  const inputs = { format: BUNDLE_FORMAT, inputs: ['electron/cli/main.ts', 'electron/cli/check.ts', 'package.json'] };
  writeFileSync(path.join(tree, 'dist/cli/authlab.inputs.json'), JSON.stringify(inputs));
  const at = (p: string, seconds: number) => utimesSync(path.join(tree, p), seconds, seconds);
  // a compile cache of its own: the launcher's caches of this throwaway tree must not pile up in the user's
  const env = { ...process.env, NODE_COMPILE_CACHE: path.join(dir, 'tree-compile-cache') };
  const who = () => spawnSync(process.execPath, [path.join(tree, 'bin/authlab.cjs')], { encoding: 'utf8', env }).stdout;

  for (const p of ['electron/cli/main.ts', 'electron/cli/check.ts', 'package.json']) at(p, 1_700_000_000);
  at('dist/cli/authlab.cjs', 1_700_000_100);
  assert.equal(who(), 'bundle', 'fresh bundle');
  at('electron/cli/check.ts', 1_700_000_200);
  assert.equal(who(), 'source', 'a source edited after the build');
  at('electron/cli/check.ts', 1_700_000_000);
  assert.equal(who(), 'bundle');
  rmSync(path.join(tree, 'electron/cli/check.ts'));
  assert.equal(who(), 'source', 'an input that no longer exists');
  writeFileSync(path.join(tree, 'electron/cli/check.ts'), 'export {};\n');
  at('electron/cli/check.ts', 1_700_000_000);
  writeFileSync(path.join(tree, 'dist/cli/authlab.inputs.json'), JSON.stringify({ ...inputs, format: undefined }));
  at('dist/cli/authlab.cjs', 1_700_000_100);
  assert.equal(who(), 'source', 'a bundle of a format this launcher does not know (built by an older build-cli.mjs)');
  rmSync(path.join(tree, 'dist/cli/authlab.inputs.json'));
  assert.equal(who(), 'source', 'no list of inputs: freshness unknown');
});

test('the bundle is its own CommonJS wrapper: evaluated as a script it hands back the function to call; required, it runs itself', () => {
  const text = readFileSync(bundle, 'latin1');
  assert.ok(text.startsWith(BUNDLE_WRAPPER.open) && text.endsWith(BUNDLE_WRAPPER.close + '\n'), 'the build wraps the whole file');
  assert.equal(JSON.parse(readFileSync(path.join(path.dirname(bundle), 'authlab.inputs.json'), 'utf8')).format, BUNDLE_FORMAT);
  const probe = [
    "const vm = require('node:vm'), { createRequire } = require('node:module');",
    `const file = ${JSON.stringify(bundle)};`,
    "const run = new vm.Script(require('node:fs').readFileSync(file, 'latin1'), { filename: file }).runInThisContext();",
    'const mod = { exports: {} };',
    "const before = typeof run === 'function' && Object.keys(mod.exports).length === 0;",
    "run(mod.exports, createRequire(file), mod, file, require('node:path').dirname(file));",
    'const required = require(file);',
    "console.log(JSON.stringify({ before, viaScript: typeof mod.exports.main, viaRequire: typeof required.main, distinct: required !== mod.exports }));",
  ];
  assert.deepEqual(runProbe(probe), { before: true, viaScript: 'function', viaRequire: 'function', distinct: true });
});

test('bin/authlab.cjs runs a fresh bundle from a V8 code cache of its own: per bundle content and subcommand, rebuilt when rejected', () => {
  // a checkout holding the real launcher and the real bundle (self-contained: nothing resolved from
  // node_modules offline); its own compile-cache directory
  const tree = path.join(dir, 'cached');
  const cache = path.join(dir, 'compile-cache');
  mkdirSync(path.join(tree, 'bin'), { recursive: true });
  mkdirSync(path.join(tree, 'dist/cli'), { recursive: true });
  cpSync(path.join(repoRoot, 'bin/authlab.cjs'), path.join(tree, 'bin/authlab.cjs'));
  writeFileSync(path.join(tree, 'package.json'), '{"type":"module"}\n');
  cpSync(bundle, path.join(tree, 'dist/cli/authlab.cjs'));
  const built = JSON.parse(readFileSync(path.join(outDir, 'authlab.inputs.json'), 'utf8')) as { hash: string; encoding: string };
  assert.match(built.hash, /^[0-9a-f]{16}$/);
  assert.equal(built.encoding, 'latin1', 'the minified bundle is ASCII');
  writeFileSync(path.join(tree, 'dist/cli/authlab.inputs.json'), JSON.stringify({ ...built, inputs: [] }));
  const args = ['check', 'signed.eml', '--zone', 'example.zone', '--offline', '--json', '--at', '2026-11-24T10:05:00Z'];
  const run = (a = args, env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [path.join(tree, 'bin/authlab.cjs'), ...a], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_COMPILE_CACHE: cache, ...env } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const caches = () => readdirSync(cache, { recursive: true }).map(String).filter((f) => f.endsWith('.v8cache'));
  const expected = withoutTimings(runMain(source(), args).stdout);

  assert.deepEqual(withoutTimings(run()), expected, 'first run: compiles, answers, then saves the cache');
  assert.equal(caches().length, 1);
  const file = path.join(cache, caches()[0]);
  assert.match(path.basename(file), new RegExp(`-${built.hash}-.*-${process.version}-${process.arch}-check\\.v8cache$`));
  // V8 keeps what the run compiled, not just the top level: far more than the bundle's eager part
  assert.ok(statSync(file).size > 300_000, `cache of ${statSync(file).size} bytes`);
  utimesSync(file, 1_700_000_000, 1_700_000_000);
  assert.deepEqual(withoutTimings(run()), expected, 'second run: from the cache');
  assert.equal(statSync(file).mtimeMs, 1_700_000_000_000, 'an accepted cache is not rewritten');

  assert.match(run(['--help']), /^AuthLab/);
  assert.equal(caches().length, 2, 'another subcommand, another cache');

  writeFileSync(file, Buffer.alloc(4096, 7)); // garbage: V8 rejects it, the launcher replaces it
  assert.deepEqual(withoutTimings(run()), expected);
  assert.notEqual(statSync(file).size, 4096);

  // a different bundle (another build) never reads this one's cache, and the old caches go
  // (same length: V8's own check on a cache is only the source's length)
  const text = readFileSync(bundle, 'latin1');
  const other = text.replace('test email authentication', 'TEST EMAIL AUTHENTICATION');
  assert.equal(other.length, text.length);
  assert.notEqual(other, text);
  writeFileSync(path.join(tree, 'dist/cli/authlab.cjs'), other, 'latin1');
  writeFileSync(path.join(tree, 'dist/cli/authlab.inputs.json'), JSON.stringify({ ...built, hash: 'f'.repeat(16), inputs: [] }));
  assert.match(run(['--help']), /^AuthLab — TEST EMAIL AUTHENTICATION/);
  assert.deepEqual(caches().map((f) => /-(f{16})-/.test(f)), [true], 'one cache left, the new bundle\'s');

  assert.deepEqual(withoutTimings(run(args, { NODE_DISABLE_COMPILE_CACHE: '1' })), expected, 'compile cache disabled: runs all the same');
});

test('the lazy network built-ins load on use: live DNS (dgram) through the bundle answers like the sources', async () => {
  const record = `v=DKIM1; k=rsa; p=${key.publicKeyB64}`;
  const server = await startDnsServer({
    zone: {
      'example.com': { TXT: [['v=spf1 ip4:192.0.2.0/24 -all']] },
      '_dmarc.example.com': { TXT: [['v=DMARC1; p=reject; rua=mailto:dmarc@example.com']] },
      'sel1._domainkey.example.com': { TXT: [record.match(/.{1,255}/g)!] },
    },
  });
  try {
    const args = ['check', 'signed.eml', '--dns', server.server, '--json', '--at', '2026-11-24T10:05:00Z'];
    const fromBundle = await runMainAsync(bundle, args);
    assert.equal(fromBundle.code, 0, fromBundle.stderr);
    const b = withoutTimings(fromBundle.stdout);
    assert.deepEqual([b.spf.result, b.dkim[0].result, b.dmarc.result], ['pass', 'pass', 'pass']);
    assert.ok(server.count('udp') > 0, 'answered over UDP');
    const fromSource = await runMainAsync(source(), args);
    assert.deepEqual(b, withoutTimings(fromSource.stdout));
  } finally {
    await server.close();
  }
});

test('bundleIsFresh() agrees with a build it just made, and, as the launcher, not with a bundle of another format', () => {
  assert.equal(bundleIsFresh(outDir), true);
  assert.equal(bundleIsFresh(path.join(dir, 'nowhere')), false);
  const other = path.join(dir, 'other-format');
  cpSync(outDir, other, { recursive: true });
  const listFile = path.join(other, 'authlab.inputs.json');
  writeFileSync(listFile, JSON.stringify({ ...JSON.parse(readFileSync(listFile, 'utf8')), format: 'vm-wrapped-0' }));
  utimesSync(path.join(other, 'authlab.cjs'), new Date(), new Date());
  assert.equal(bundleIsFresh(other), false);
});
