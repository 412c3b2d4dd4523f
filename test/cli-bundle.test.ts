// The bundled CLI (scripts/build-cli.mjs → dist/cli/authlab.mjs) answers exactly like the
// TypeScript sources, keeps its lazy stand-ins loadable, and bin/authlab.js never runs a stale bundle.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './helpers/paths.ts';
import { exampleZone, makeKey, plainMessage, signMessage } from './helpers/signed-message.ts';

interface BuildCliModule {
  buildCli(opts?: { outDir?: string; logLevel?: string }): Promise<{ entry: string; external: string[] }>;
  bundleIsFresh(outDir?: string): boolean;
  lazyStandIns(): unknown;
}
const buildScript = path.join(repoRoot, 'scripts/build-cli.mjs');
const { buildCli, bundleIsFresh, lazyStandIns } = (await import(pathToFileURL(buildScript).href)) as BuildCliModule;

let dir: string;
let outDir: string; // inside the repo, so the bundle resolves node_modules as dist/cli does
let bundle: string;
let external: string[] = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'authlab-cli-bundle-'));
  outDir = path.join(repoRoot, 'dist', `.cli-test-${process.pid}`);
  ({ entry: bundle, external } = await buildCli({ outDir }));
  const key = makeKey('rsa', 2048);
  const signed = await signMessage(plainMessage(), 'example.com', 'sel1', key);
  writeFileSync(path.join(dir, 'example.zone'), exampleZone('sel1', key));
  writeFileSync(path.join(dir, 'signed.eml'), signed);
  writeFileSync(path.join(dir, 'tampered.eml'), signed.replace('Subject: Quarterly report', 'Subject: Quarterly report (edited)'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

/** Runs main() from a module (the bundle or the sources) the way bin/authlab.js does. */
function runMain(moduleFile: string, args: string[], nodeArgs: string[] = []) {
  const runner = path.join(dir, 'run-main.mjs');
  writeFileSync(runner, 'const { main } = await import(process.argv[2]);\nprocess.exitCode = await main(process.argv.slice(3));\n');
  const r = spawnSync(process.execPath, [...nodeArgs, runner, pathToFileURL(moduleFile).href, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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
  // and the same exit status for a --fail-on condition
  const failOn = ['check', 'tampered.eml', '--zone', 'example.zone', '--offline', '--json', '--fail-on', 'dkim', '--at', '2026-11-24T10:05:00Z'];
  assert.equal(runMain(bundle, failOn).code, 1);
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
      "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(cache)) + '\\n'));\n",
  );
  const r = runMain(bundle, ['check', 'signed.eml', '--zone', 'example.zone', '--offline', '--json'], ['--import', pathToFileURL(probe).href]);
  assert.equal(r.code, 0, r.stderr);
  const loaded = JSON.parse(/LOADED (.*)/.exec(r.stderr)![1]) as string[];
  assert.deepEqual(loaded.filter((f) => f.includes('node_modules')), [], 'a package loaded from disk means the bundle missed it (or loads mailauth twice)');
  assert.deepEqual(external.filter((e) => !e.startsWith('node:') && !/^[a-z_]+$/.test(e)), [], 'only Node built-ins stay external');
});

test('a lazy stand-in loads the real package on first use, and a deferred instance becomes the real one', async () => {
  const { build } = await import('esbuild');
  const entry = path.join(outDir, 'lazy-entry.mjs');
  writeFileSync(
    entry,
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
    ].join('\n'),
  );
  const out = path.join(outDir, 'lazy-out.mjs');
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    plugins: [lazyStandIns() as never],
    logLevel: 'warning',
  });
  const r = spawnSync(process.execPath, [out], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { atStart: false, afterUse: true, body: 'hello' });
});

test('bin/authlab.js runs the bundle only while it is newer than its sources', () => {
  // a miniature checkout: the real launcher, a fake bundle and fake sources that say who answered
  const tree = path.join(dir, 'tree');
  mkdirSync(path.join(tree, 'bin'), { recursive: true });
  mkdirSync(path.join(tree, 'dist/cli'), { recursive: true });
  mkdirSync(path.join(tree, 'electron/cli'), { recursive: true });
  cpSync(path.join(repoRoot, 'bin/authlab.js'), path.join(tree, 'bin/authlab.js'));
  writeFileSync(path.join(tree, 'package.json'), '{"type":"module"}\n');
  const answer = (who: string) => `export async function main() { process.stdout.write(${JSON.stringify(who)}); return 0; }\n`;
  writeFileSync(path.join(tree, 'electron/cli/main.ts'), answer('source'));
  writeFileSync(path.join(tree, 'electron/cli/check.ts'), 'export {};\n');
  writeFileSync(path.join(tree, 'dist/cli/authlab.mjs'), answer('bundle'));
  writeFileSync(path.join(tree, 'dist/cli/authlab.inputs.json'), JSON.stringify({ inputs: ['electron/cli/main.ts', 'electron/cli/check.ts', 'package.json'] }));
  const at = (p: string, seconds: number) => utimesSync(path.join(tree, p), seconds, seconds);
  const who = () => spawnSync(process.execPath, [path.join(tree, 'bin/authlab.js')], { encoding: 'utf8' }).stdout;

  for (const p of ['electron/cli/main.ts', 'electron/cli/check.ts', 'package.json']) at(p, 1_700_000_000);
  at('dist/cli/authlab.mjs', 1_700_000_100);
  assert.equal(who(), 'bundle', 'fresh bundle');
  at('electron/cli/check.ts', 1_700_000_200);
  assert.equal(who(), 'source', 'a source edited after the build');
  at('electron/cli/check.ts', 1_700_000_000);
  assert.equal(who(), 'bundle');
  rmSync(path.join(tree, 'electron/cli/check.ts'));
  assert.equal(who(), 'source', 'an input that no longer exists');
  writeFileSync(path.join(tree, 'electron/cli/check.ts'), 'export {};\n');
  at('electron/cli/check.ts', 1_700_000_000);
  rmSync(path.join(tree, 'dist/cli/authlab.inputs.json'));
  assert.equal(who(), 'source', 'no list of inputs: freshness unknown');
});

test('bundleIsFresh() agrees with a build it just made', () => {
  assert.equal(bundleIsFresh(outDir), true);
  assert.equal(bundleIsFresh(path.join(dir, 'nowhere')), false);
});
