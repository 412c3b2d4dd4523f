#!/usr/bin/env node
// Launcher: checks the Node version, then runs the bundled CLI (dist/cli/authlab.cjs, built by
// scripts/build-cli.mjs) if it is fresh, else the TypeScript sources.
// Cold start is mostly compiling code, so the bundle runs through vm.Script with a V8 code cache
// taken after the run: it holds every function the run compiled (the evaluation's too), where
// Node's own compile cache (still on, for the sources) keeps only a module's eager top level.
// CommonJS, not an ES module: an ES entry point goes through the ESM loader (resolve, load, compile
// as a module, link, top-level await), ~1-2 ms more on every start than Node's CommonJS loader.
// Built-ins come from process.getBuiltinModule: node:fs's lazy getters would otherwise load its
// streams (~8 ms) when a whole namespace is read.

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `authlab: needs Node >= 22.19 (mailauth 7), this is ${process.version}. ` +
      `Run it through npm (npx authlab …), which uses the Node 24 pinned in node_modules.\n`,
  );
  process.exit(2);
}
const Module = process.getBuiltinModule('node:module');
const { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');
const vm = process.getBuiltinModule('node:vm');
Module.enableCompileCache?.();
// what dist/cli/authlab.inputs.json must say the bundle is (scripts/build-cli.mjs, BUNDLE_FORMAT)
const BUNDLE_FORMAT = 'vm-wrapped-1';
const argv = process.argv.slice(2);
const root = path.join(__dirname, '..');
run();

async function run() {
  const fresh = freshBundle();
  const cli = fresh ? runBundle(fresh) : await import(process.getBuiltinModule('node:url').pathToFileURL(`${root}/electron/cli/main.ts`).href);
  const code = await cli.main(argv);
  cli.saveCache?.();
  // Exit once the output is out (the CLI writes it synchronously unless its pipe would block), and
  // not before: an exit code is final even when a timer or socket is still open.
  if (cli.drained) await cli.drained();
  else await new Promise((resolve) => process.stdout.write('', resolve));
  process.exit(code);
}

// The bundle is used only while it is newer than every repo file it was built from, listed beside
// it; after an edit (or a checkout) the sources run until the next `npm run build:cli`, so a stale
// bundle can never answer. About 2 ms of stat calls (~100 inputs).
function freshBundle() {
  try {
    // plain paths, not file: URLs (~100 URL parses cost about a millisecond), and joined by hand:
    // path.join's normalising, still cold here, took 2-4 ms over ~70 inputs. fs takes '/' on
    // Windows too, and the inputs are repo-relative with '/' (build-cli.mjs writes them so).
    const file = path.join(root, 'dist/cli/authlab.cjs');
    const stat = statSync(file);
    const { inputs, hash, encoding, format } = JSON.parse(readFileSync(path.join(root, 'dist/cli/authlab.inputs.json'), 'utf8'));
    if (format !== BUNDLE_FORMAT) return undefined; // built for another launcher
    for (const p of inputs) if (statSync(`${root}/${p}`).mtimeMs > stat.mtimeMs) return undefined;
    return { file, stat, hash: String(hash ?? ''), encoding: encoding === 'latin1' ? 'latin1' : 'utf8' };
  } catch {
    return undefined;
  }
}

// Runs the CommonJS bundle as Node's loader would (same wrapper arguments), from V8's code cache
// when there is one for this very bundle, this Node and this subcommand.
function runBundle({ file, stat, hash, encoding }) {
  // The cache lives in Node's compile-cache directory (so NODE_COMPILE_CACHE and
  // NODE_DISABLE_COMPILE_CACHE apply). Its name pins the bundle's content and the Node build:
  // V8 itself only checks the source's length. One per subcommand, since each compiles other code.
  const dir = Module.getCompileCacheDir?.();
  const cmd = /^[a-z]+$/.test(argv[0] ?? '') ? argv[0] : 'other';
  const prefix = `authlab-${fnv1a(file)}-`; // this checkout's caches (the directory may be shared)
  const name = `${prefix}${hash}-${stat.size}-${Math.trunc(stat.mtimeMs)}-${process.version}-${process.arch}-${cmd}.v8cache`;
  const cacheFile = dir && path.join(dir, name);
  // The bundle and its cache are read through one buffer: the bundle's text is copied into a
  // string (latin1 when the build found it ASCII: exact, and no UTF-8 decoding), then the cache is
  // read over the same bytes. Memory touched for the first time is what costs here (README, Speed):
  // a second buffer was ~160 more fresh pages.
  const fd = openSync(file, 'r');
  let cfd = -1;
  try {
    if (cacheFile) cfd = openSync(cacheFile, 'r');
  } catch {}
  let source;
  let cachedData;
  try {
    const sourceSize = fstatSync(fd).size;
    const cacheSize = cfd >= 0 ? fstatSync(cfd).size : 0;
    const buf = Buffer.allocUnsafeSlow(Math.max(sourceSize, cacheSize));
    source = buf.toString(encoding, 0, readAll(fd, buf, sourceSize));
    if (cfd >= 0) cachedData = buf.subarray(0, readAll(cfd, buf, cacheSize));
  } finally {
    closeSync(fd);
    if (cfd >= 0) closeSync(cfd);
  }
  // the file is its own CommonJS wrapper (build-cli.mjs, BUNDLE_WRAPPER): evaluated, it hands back
  // the function to call, so V8 gets the text as read, not a copy inside a template
  const script = new vm.Script(source, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  const stale = cacheFile && (!cachedData || script.cachedDataRejected);
  return {
    main: mod.exports.main,
    drained: mod.exports.drained,
    // after the run, so the cache holds what it compiled; written once, atomically, and old
    // bundles' caches go (best effort: a read-only cache directory only costs speed)
    saveCache() {
      if (!stale) return;
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
        const current = `${prefix}${hash}-${stat.size}-${Math.trunc(stat.mtimeMs)}-`;
        for (const f of readdirSync(dir)) if (f.startsWith(prefix) && !f.startsWith(current)) rmSync(path.join(dir, f), { force: true });
      } catch {}
    },
  };
}

/** Reads up to `size` bytes of `fd` into the start of `buf`; returns how many it read. */
function readAll(fd, buf, size) {
  let n = 0;
  for (let r; n < size && (r = readSync(fd, buf, n, size - n, n)) > 0; ) n += r;
  return n;
}

function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
