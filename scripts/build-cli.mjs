#!/usr/bin/env node
// Bundles the `authlab` CLI (electron/cli/main.ts) into dist/cli/authlab.cjs for a fast cold start:
// one script instead of ~200 TypeScript and CommonJS modules resolved, read and compiled one by
// one. Subcommands stay lazy (a subcommand's modules run only when it is used), and packages the
// CLI never needs at `check` time (mailauth's BIMI logo/VMC fetch stack, legacy-charset tables,
// zod) are replaced by stand-ins that require() the real package on first use; so are the Node
// built-ins only the network paths use (https/tls/http, dgram), which cost ~10 ms to load.
// Two shims (SHIMS below) spare the common path other start-up work: Joi, and Node's IPv6 pattern.
// A module loaded eagerly but used off that path runs on first use (DEFERRED): libmime's MIME
// table, and tldts, which mailauth's alignment check then needs only for a d= that is not the From
// domain itself; that and mailauth's PEM export of every key are work AuthLab never reads, skipped
// by MAILAUTH_REWRITES. When tldts does run, its load is rewritten (COLD_LOAD_REWRITTEN:
// its trie literals packed as base64, its djb2 steps kept int32). On these VMs a cold start pays
// for every page it touches.
// CommonJS, not ESM: bin/authlab.cjs compiles it with vm.Script and keeps V8's code cache of the
// functions a run actually compiled (Node's compile cache only keeps the eagerly compiled top
// level, so every function the evaluation calls would be parsed and compiled on every run). The
// file is its own wrapper for that (BUNDLE_WRAPPER), and an ordinary CommonJS module otherwise.
// Staleness: bin/authlab.cjs runs the bundle only while it is newer than every repo file it was
// built from (listed beside it in authlab.inputs.json); otherwise it runs the TypeScript sources,
// so an edit is never hidden behind an old bundle. `npm run build:cli` refreshes it.
// Usage: node scripts/build-cli.mjs [--out DIR] [--no-lazy (no stand-ins or shims, to compare)] [--no-minify (for profiling)]

import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Packages replaced by lazy stand-ins, with the exports their importers take at load time: each
 * loads the real package on first call or property read; `new` on one (undici's module-level
 * `new Agent()`) defers construction until the instance is used or handed to a real export.
 * The BIMI fetch stack is never used offline; iconv-lite and encoding-japanese only decode
 * legacy charsets in libmime; zod only validates --replay-dns files; dns-packet only encodes and
 * decodes live DNS queries (its load and the copy of its ~100 exports: ~1.3 ms in a CPU profile of an
 * offline check, 31 KB of bundle).
 */
export const LAZY = {
  'dns-packet': ['encode', 'decode', 'streamEncode'],
  undici: ['fetch', 'Agent'],
  '@postalsys/vmc': ['vmc'],
  'fast-xml-parser': ['XMLParser'],
  'iconv-lite': ['decode', 'encode', 'encodingExists', 'getCodec', 'getDecoder', 'getEncoder'],
  'encoding-japanese': ['convert', 'detect'],
  zod: ['z'],
};

// Runtime of the stand-ins (CommonJS, inside the bundle). `from` is the chain of packages whose
// require() would load the real one (e.g. ['libmime'] for iconv-lite), so it is found where npm
// installed it and stays loadable if ever called.
const LAZY_RUNTIME = `
const { createRequire } = require('node:module');
const DEFER = Symbol.for('authlab.lazy');
const materialize = (v) => (v && typeof v === 'object' && v[DEFER] ? v[DEFER]() : v);
function unwrap(args) {
  return args.map((a) => {
    a = materialize(a);
    if (!a || typeof a !== 'object' || Object.getPrototypeOf(a) !== Object.prototype) return a;
    let copy;
    for (const k of Object.keys(a)) {
      const m = materialize(a[k]);
      if (m !== a[k]) (copy ??= { ...a })[k] = m;
    }
    return copy ?? a;
  });
}
function deferred(make) {
  return new Proxy(Object.create(null), {
    get: (_, p) => {
      if (p === DEFER) return make;
      const v = Reflect.get(make(), p);
      return typeof v === 'function' ? v.bind(make()) : v;
    },
    set: (_, p, v) => Reflect.set(make(), p, v),
    has: (_, p) => p in make(),
  });
}
module.exports = function lazyModule(name, from, keys) {
  let real;
  const load = () => {
    if (real) return real;
    let req = require;
    for (const pkg of from) req = createRequire(req.resolve(pkg));
    return (real = req(name));
  };
  const stub = (key) =>
    new Proxy(function () {}, {
      apply: (_, self, args) => load()[key].apply(self, unwrap(args)),
      construct: (_, args) => deferred(() => Reflect.construct(load()[key], unwrap(args))),
      get: (_, p) => Reflect.get(load()[key], p),
      has: (_, p) => p in load()[key],
    });
  const stubs = new Map(keys.map((k) => [k, stub(k)]));
  // anything else is read from the real package (correct, just not lazy)
  return new Proxy(Object.create(null), {
    get: (_, p) => (stubs.has(p) ? stubs.get(p) : load()[p]),
    has: (_, p) => stubs.has(p) || p in load(),
    // ESM importers (esbuild's interop) copy the named exports they see
    ownKeys: () => [...stubs.keys()],
    getOwnPropertyDescriptor: (_, p) => (stubs.has(p) ? { value: stubs.get(p), enumerable: true, configurable: true, writable: false } : undefined),
  });
};
`;

/** The packages whose require() finds `importer`'s dependencies: node_modules/a/node_modules/b/x.js → ['a', 'b']. */
function packageChain(importer) {
  const parts = importer.split(/[\\/]node_modules[\\/]/).slice(1);
  return parts.map((p) => {
    const seg = p.split(/[\\/]/);
    return seg[0].startsWith('@') ? `${seg[0]}/${seg[1]}` : seg[0];
  });
}

/** esbuild plugin: the stand-ins above for the LAZY packages. */
export function lazyStandIns(lazy = LAZY) {
  const names = Object.keys(lazy);
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'authlab-lazy-stand-ins',
    setup(b) {
      b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy', pluginData: { from: packageChain(args.importer) } }));
      b.onResolve({ filter: /^authlab-lazy-runtime$/ }, () => ({ path: 'runtime', namespace: 'lazy-runtime' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy-runtime' }, () => ({ contents: LAZY_RUNTIME, loader: 'js', resolveDir: root }));
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
        contents: `module.exports = require('authlab-lazy-runtime')(${JSON.stringify(args.path)}, ${JSON.stringify(args.pluginData.from)}, ${JSON.stringify(lazy[args.path])});`,
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}

/**
 * esbuild plugin: the engine reaches mailauth's internals through `createRequire(import.meta.url)`,
 * which a bundler cannot follow; left alone, the bundle would load mailauth twice (its bundled
 * copy and node_modules'). Turn those into plain require() calls, which esbuild bundles.
 */
function bundleCreateRequire() {
  return {
    name: 'authlab-bundle-create-require',
    setup(b) {
      b.onLoad({ filter: /[\\/](electron|shared)[\\/].*\.ts$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        if (text.includes('createRequire(import.meta.url)')) {
          text = text
            .replace(/^const require = createRequire\(import\.meta\.url\);$/m, '')
            .replace(/\bcreateRequire\(import\.meta\.url\)\((['"])/g, 'require($1');
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

/**
 * Node built-ins that only the network paths use (live DNS, BIMI/MTA-STS fetches, `serve`), with
 * what loading them costs at start-up: https pulls in tls and the whole HTTP client (~8 ms),
 * dgram and http a few ms more, dns ~2 ms. mailauth requires https and dns at load time (dns only
 * as the default of a resolver the engine always gives), the engine dgram.
 */
export const LAZY_BUILTINS = ['http', 'https', 'tls', 'dgram', 'child_process', 'dns'];
/** Namespaces read off a lazy built-in at load time (`require('node:dns').promises`): lazy too. */
const LAZY_BUILTIN_PARTS = { dns: { promises: 'dns/promises' } };

// Stand-in for a lazy built-in: a proxy that requires the real module on first property read.
// Its export names are listed at build time (by the Node that builds, which is the one that runs
// it: the bundle is rebuilt with the lockfile that pins Node) so esbuild's ESM interop, which
// copies them as getters, sees them without loading anything.
const lazyBuiltinSource = (name, keys, parts = {}) => `function lazy(name, keys, parts) {
  let real;
  const load = () => (real ??= require(name));
  // a lazy part (dns.promises) is handed out as itself, however it is read
  const read = (p) => (Object.hasOwn(parts, p) ? parts[p] : load()[p]);
  return new Proxy(Object.create(null), {
    get: (_, p) => read(p),
    set: (_, p, v) => Reflect.set(load(), p, v),
    has: (_, p) => p in load(),
    ownKeys: () => keys,
    getOwnPropertyDescriptor: (_, p) => (keys.includes(p) ? { get: () => read(p), enumerable: true, configurable: true } : undefined),
  });
}
module.exports = lazy(${JSON.stringify(`node:${name}`)}, ${JSON.stringify(keys)}, {
${Object.entries(parts)
  .map(([key, [part, partKeys]]) => `  ${JSON.stringify(key)}: lazy(${JSON.stringify(`node:${part}`)}, ${JSON.stringify(partKeys)}, {}),`)
  .join('\n')}
});
`;

/** esbuild plugin: LAZY_BUILTINS become stand-ins that load the real module on first use; other built-ins stay plain require()s. */
export function lazyBuiltins(names = LAZY_BUILTINS) {
  const filter = new RegExp(`^(node:)?(${names.join('|')})$`);
  const req = createRequire(import.meta.url);
  return {
    name: 'authlab-lazy-builtins',
    setup(b) {
      // the stand-in's own require() of the real module stays a plain external require
      b.onResolve({ filter }, (args) =>
        args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
        const parts = Object.entries(LAZY_BUILTIN_PARTS[args.path] ?? {}).map(([key, part]) => [key, [part, Object.keys(req(`node:${part}`))]]);
        return { contents: lazyBuiltinSource(args.path, Object.keys(req(`node:${args.path}`)), Object.fromEntries(parts)), loader: 'js' };
      });
    },
  };
}

/**
 * Modules the bundle sees in place of a package or built-in (scripts/cli-shims/, each says why):
 * joi answers mailauth's per-key base64 check without loading Joi, net's isIP skips the IPv6
 * pattern for text with no colon. Each gives the real module's answers (test/cli-shims.test.ts).
 */
export const SHIMS = {
  joi: path.join(root, 'scripts/cli-shims/joi.cjs'),
  net: path.join(root, 'scripts/cli-shims/net.cjs'),
};

/** esbuild plugin: SHIMS for their modules (net's shim itself gets the real node:net). */
export function cliShims(shims = SHIMS) {
  return {
    name: 'authlab-cli-shims',
    setup(b) {
      b.onResolve({ filter: /^joi$/ }, () => ({ path: shims.joi }));
      b.onResolve({ filter: /^(node:)?net$/ }, (args) => (args.importer === shims.net ? { path: 'node:net', external: true } : { path: shims.net }));
    },
  };
}

/**
 * Typed-array literals packed into base64 text: tldts ships its public-suffix trie as
 * `new Uint16Array([0, 0, 1, …])` literals of ~10,000 numbers each. In V8's code cache each
 * literal is an array boilerplate, one tagged value per number, deserialized on every start and
 * then copied twice at load; as base64 it is one flat string, decoded by Buffer (about 130 KB
 * less code cache and ~3 ms less cold start). Values are packed little-endian and decoded on
 * any platform. Returns the rewritten source and how many literals it packed.
 */
export function packTypedArrayLiterals(source) {
  let count = 0;
  const text = source.replace(/new (Uint8Array|Uint16Array)\(\[([\d,\s]*)\]\)/g, (literal, type, list) => {
    const values = list.split(',').filter((v) => v.trim() !== '').map(Number);
    const width = type === 'Uint8Array' ? 1 : 2;
    if (values.some((v) => !Number.isInteger(v) || v < 0 || v >= 2 ** (8 * width))) return literal; // not exactly representable: leave it
    const bytes = Buffer.alloc(values.length * width);
    values.forEach((v, i) => (width === 1 ? bytes.writeUInt8(v, i) : bytes.writeUInt16LE(v, i * 2)));
    count++;
    return `__authlabUnpack(${JSON.stringify(bytes.toString('base64'))}, ${type})`;
  });
  if (!count) return { text: source, count };
  const unpack = `
function __authlabUnpack(base64, T) {
  const bytes = Buffer.from(base64, 'base64');
  if (T.BYTES_PER_ELEMENT === 1 || new Uint8Array(Uint16Array.of(1).buffer)[0] === 1) return new T(new Uint8Array(bytes).buffer);
  const out = new T(bytes.length / T.BYTES_PER_ELEMENT);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readUInt16LE(i * 2);
  return out;
}
`;
  return { text: text + unpack, count };
}

/**
 * tldts derives a djb2 hash for each of its ~10,000 trie labels when it loads, as
 * `hash = (hash * 33) ^ c`: the product leaves the small-integer range, so each of those ~70,000
 * steps allocates a heap number while the loop still runs unoptimized (once per process, cold).
 * Math.imul gives the same 32 bits (`^` keeps only those of the exact product) without the
 * double: ~70 fewer fresh pages and ~2 ms per start. Returns the source and how many it rewrote.
 */
export function int32Djb2(source) {
  let count = 0;
  const text = source.replace(/\((\w+) \* 33\) \^ /g, (_, name) => (count++, `Math.imul(${name}, 33) ^ `));
  return { text, count };
}

/** Dependency files whose typed-array literals are packed (packTypedArrayLiterals) and whose djb2 steps stay int32 (int32Djb2). */
export const COLD_LOAD_REWRITTEN = [/[\\/]node_modules[\\/]tldts[\\/]dist[\\/]cjs[\\/]index\.js$/];

/** esbuild plugin: the load-time rewrites of the COLD_LOAD_REWRITTEN files (packTypedArrayLiterals, then int32Djb2); a file where either finds nothing fails the build (the package changed). */
export function coldLoadRewrites(files = COLD_LOAD_REWRITTEN) {
  return {
    name: 'authlab-cold-load-rewrites',
    setup(b) {
      for (const filter of files) {
        b.onLoad({ filter }, (args) => {
          const packed = packTypedArrayLiterals(readFileSync(args.path, 'utf8'));
          const hashed = int32Djb2(packed.text);
          if (!packed.count || !hashed.count) throw new Error(`${args.path}: ${packed.count} typed-array literals packed, ${hashed.count} djb2 steps rewritten; expected some of each (see COLD_LOAD_REWRITTEN in scripts/build-cli.mjs)`);
          return { contents: hashed.text, loader: 'js' };
        });
      }
    },
  };
}

/**
 * Modules that a package requires at load time but uses only on a path `check` does not always
 * take, with their exports: they stay in the bundle, but run on first read of an export (a key is
 * a file in a package, or a package name for its main file). libmime's MIME-type table (~2 ms to
 * build) serves only detectMimeType/detectExtension. tldts, the public-suffix list (~3 ms to load,
 * ~80 fresh pages), serves mailauth's relaxed alignment of a DKIM d= against the From domain, which
 * MAILAUTH_REWRITES answers without it when the two are the same name: on most direct mail it
 * never runs (the DMARC report's organisational domains come from the DNS Tree Walk, not the list).
 */
export const DEFERRED = {
  'libmime/lib/mimetypes.js': ['list', 'extensions'],
  tldts: ['getDomain', 'getDomainWithoutSuffix', 'getFullDomain', 'getHostname', 'getPublicSuffix', 'getSubdomain', 'parse'],
};

/**
 * Work mailauth does on every check whose result AuthLab never reads, skipped in the CLI bundle by
 * exact-text rewrites of mailauth's code (each must match exactly once, so a mailauth that changed
 * there fails the build). Each keeps mailauth's results as they were; test/cli-bundle.test.ts holds
 * the rewritten functions to mailauth's own.
 * - alignment: mailauth's relaxed alignment (tools.getAlignment) asks the public-suffix list for the
 *   organisational domain of both names even when they are one and the same, as for every DKIM
 *   signature whose d= is the From domain. Both answers are then the same, so the pair aligns
 *   exactly when that domain is not empty after formatDomain, which the shortcut checks without the
 *   list (and tldts, DEFERRED, then never runs).
 * - lazy PEM: getPublicKey exports every key it reads as PEM text (OpenSSL's encoders, first used
 *   then: ~1 ms of a cold start), which mailauth only copies into each DKIM result's `publicKey` and AuthLab never
 *   reads. The key object is handed on instead (crypto.verify takes it as it is), printing as that
 *   PEM when asked, and the result's `publicKey` is read from it when read. An export cannot fail
 *   where createPublicKey succeeded (it re-encodes the key OpenSSL has just decoded), so keys are
 *   accepted and refused as before.
 */
export const MAILAUTH_REWRITES = [
  {
    name: 'alignment',
    file: 'lib/tools.js',
    find: '    let fromOrg = formatDomain(tldts.getDomain(fromDomain, TLDTS_OPTS) || fromDomain);\n',
    replace: (found) =>
      '    // AuthLab CLI build (scripts/build-cli.mjs, MAILAUTH_REWRITES): a name aligns with itself\n' +
      '    if (domainList.length === 1 && domainList[0].domain === fromDomain) {\n' +
      '        return formatDomain(fromDomain) ? domainList[0] : false;\n' +
      '    }\n' +
      found,
  },
  {
    name: 'lazy PEM: the key',
    file: 'lib/tools.js',
    find: '            exportedKey = exportPublicKey(keyObj);\n',
    replace: () =>
      '            // AuthLab CLI build (scripts/build-cli.mjs, MAILAUTH_REWRITES): the key object, printing as its PEM\n' +
      '            exportedKey = keyObj;\n' +
      '            {\n' +
      '                let pem;\n' +
      "                Object.defineProperty(keyObj, 'toString', { value: () => (pem ??= exportPublicKey(keyObj)) });\n" +
      '            }\n',
  },
  {
    name: 'lazy PEM: the result',
    file: 'lib/dkim/dkim-verifier.js',
    find: '            result.publicKey = publicKey.toString();\n',
    replace: () =>
      '            // AuthLab CLI build (scripts/build-cli.mjs, MAILAUTH_REWRITES): the PEM when read\n' +
      "            Object.defineProperty(result, 'publicKey', { get: () => publicKey.toString(), enumerable: true, configurable: true });\n",
  },
];

/**
 * esbuild plugin: the MAILAUTH_REWRITES of each of mailauth's files, applied as it loads; a rewrite
 * whose file the build never loaded fails it too (mailauth moved the code).
 */
export function mailauthRewrites(rewrites = MAILAUTH_REWRITES) {
  return {
    name: 'authlab-mailauth-rewrites',
    setup(b) {
      const applied = new Set();
      b.onLoad({ filter: /[\\/]node_modules[\\/]mailauth[\\/]lib[\\/]/ }, (args) => {
        const file = args.path.split(path.sep).join('/');
        const mine = rewrites.filter((r) => file.endsWith(`/node_modules/mailauth/${r.file}`));
        if (!mine.length) return undefined;
        let text = readFileSync(args.path, 'utf8');
        for (const r of mine) {
          if (text.split(r.find).length !== 2) throw new Error(`${args.path}: the text of MAILAUTH_REWRITES "${r.name}" is not there exactly once (see scripts/build-cli.mjs)`);
          text = text.replace(r.find, () => r.replace(r.find));
          applied.add(r);
        }
        return { contents: text, loader: 'js' };
      });
      b.onEnd((result) => {
        const missed = rewrites.filter((r) => !applied.has(r));
        if (!result.errors.length && missed.length) throw new Error(`MAILAUTH_REWRITES not applied, their files were not bundled: ${missed.map((r) => `"${r.name}" (${r.file})`).join(', ')} (see scripts/build-cli.mjs)`);
      });
    },
  };
}

/** esbuild plugin: DEFERRED modules behind getters that require (and so run) them on first use. */
export function deferredModules(deferred = DEFERRED) {
  const entries = Object.entries(deferred);
  const packages = new Map(entries.filter(([key]) => !key.includes('/')));
  // a package's main file, once resolved, stands for the package (the stand-in's exports)
  const mains = new Map();
  const match = (file) => (mains.has(file) ? [file, mains.get(file)] : entries.find(([suffix]) => file.split(path.sep).join('/').endsWith(`/node_modules/${suffix}`)));
  return {
    name: 'authlab-deferred-modules',
    setup(b) {
      // a package required by name (`require('tldts')`), as Node would resolve it from the importer
      b.onResolve({ filter: /^[a-z@][^/]*$/ }, (args) => {
        if (!packages.has(args.path) || args.namespace === 'deferred') return undefined;
        const file = createRequire(path.join(args.resolveDir, 'noop.js')).resolve(args.path);
        mains.set(file, packages.get(args.path));
        return { path: file, namespace: 'deferred' };
      });
      // a relative require inside a package (`require('./mimetypes')`); the stand-in's own
      // require of the absolute path resolves as usual, so the real module is bundled behind it
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.importer.includes('node_modules')) return undefined;
        const base = path.resolve(args.resolveDir, args.path);
        for (const file of [base, `${base}.js`]) if (match(file) && existsSync(file)) return { path: file, namespace: 'deferred' };
        return undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
        contents:
          `let real;\nconst load = () => (real ??= require(${JSON.stringify(args.path)}));\n` +
          `module.exports = {\n${match(args.path)[1].map((k) => `  get ${k}() { return load().${k}; },`).join('\n')}\n};\n`,
        loader: 'js',
        resolveDir: path.dirname(args.path),
      }));
    },
  };
}

/**
 * The bundle is its own CommonJS wrapper. bin/authlab.cjs evaluates the file with vm.Script and
 * gets back the function to call with CommonJS's five arguments, as Node's loader would, so it
 * hands V8 the file's text as it is: wrapping it in a template literal copied the ~670 KB into a
 * second string on every start (~4 ms, and a scavenge). Loaded by require() or as a worker, the
 * file runs itself, so it stays an ordinary CommonJS module. BUNDLE_FORMAT is written beside the
 * bundle; the launcher runs only a bundle of the format it knows.
 */
export const BUNDLE_FORMAT = 'vm-wrapped-1';
export const BUNDLE_WRAPPER = {
  open:
    '(function (run) {\n' +
    "  if (typeof module === 'object' && module !== null && module.exports === exports) run(exports, require, module, __filename, __dirname);\n" +
    '  return run;\n' +
    '})(function (exports, require, module, __filename, __dirname) {',
  close: '\n});',
};

/**
 * Builds the CLI into outDir (default dist/cli): authlab.cjs and authlab.inputs.json (the repo
 * files it was built from, for the launcher's freshness check, and the bundle's hash, which keys
 * the launcher's code cache, the encoding to read it with, and its format).
 */
export async function buildCli({ outDir = path.join(root, 'dist', 'cli'), lazy = true, minify = true, logLevel = 'warning' } = {}) {
  // build beside the target and swap, so a running CLI never sees half a bundle
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(path.dirname(outDir), { recursive: true });
  const result = await build({
    // the engine's worker thread (worker-pool.ts) is its own script beside the CLI: an mbox is
    // evaluated on every core
    entryPoints: { authlab: path.join(root, 'electron/cli/main.ts'), 'engine-worker': path.join(root, 'electron/engine/engine-worker.ts') },
    outdir: tmp,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    // one file: the subcommands stay lazy anyway (esbuild runs a dynamically imported module's
    // body only when it is imported)
    splitting: false,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify,
    // ASCII (esbuild escapes the rest), so the launcher can read it as latin1: no UTF-8 decoding
    charset: 'ascii',
    legalComments: 'none',
    // import.meta.url of the sources, for code that locates files beside itself: the bundle's URL,
    // made when first read (a check never reads it; making it at load took ~0.4 ms, cold)
    define: { 'import.meta.url': '__authlabImportMeta.url', __AUTHLAB_ENGINE_WORKER__: JSON.stringify('engine-worker.cjs') },
    banner: { js: BUNDLE_WRAPPER.open + "var __authlabImportMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
    footer: { js: BUNDLE_WRAPPER.close },
    // the desktop shell is never part of the CLI
    external: ['electron'],
    plugins: [...(lazy ? [cliShims(), lazyStandIns(LAZY), lazyBuiltins(LAZY_BUILTINS), deferredModules(DEFERRED), mailauthRewrites()] : []), coldLoadRewrites(COLD_LOAD_REWRITTEN), bundleCreateRequire()],
    metafile: true,
    logLevel,
  });
  const entry = path.join(tmp, 'authlab.cjs');
  const code = readFileSync(entry);
  // minified output is ASCII (esbuild escapes the rest; unminified keeps comments as written)
  const encoding = code.some((byte) => byte > 0x7f) ? 'utf8' : 'latin1';
  // repo sources only; dependencies change only through the lockfile
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes(':') && !p.includes('node_modules'))
    .map((p) => path.relative(root, path.resolve(root, p)).split(path.sep).join('/'));
  inputs.push('package.json', 'package-lock.json', 'scripts/build-cli.mjs');
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  writeFileSync(path.join(tmp, 'authlab.inputs.json'), JSON.stringify({ format: BUNDLE_FORMAT, hash, encoding, inputs: [...new Set(inputs)].sort() }, null, 1) + '\n');
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  const external = [...new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)))].sort();
  return { outDir, entry: path.join(outDir, 'authlab.cjs'), bytes, external, metafile: result.metafile };
}

/**
 * True when outDir holds a bundle of BUNDLE_FORMAT newer than every file it was built from (the
 * same test bin/authlab.cjs makes before running it).
 */
export function bundleIsFresh(outDir = path.join(root, 'dist', 'cli')) {
  try {
    const built = statSync(path.join(outDir, 'authlab.cjs')).mtimeMs;
    const { inputs, format } = JSON.parse(readFileSync(path.join(outDir, 'authlab.inputs.json'), 'utf8'));
    return format === BUNDLE_FORMAT && inputs.every((p) => statSync(path.join(root, p)).mtimeMs <= built);
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const outDir = i > 0 ? path.resolve(process.argv[i + 1]) : undefined;
  const t0 = performance.now();
  const out = await buildCli({ outDir, lazy: !process.argv.includes('--no-lazy'), minify: !process.argv.includes('--no-minify') });
  console.log(`built ${path.relative(process.cwd(), out.entry)} (${(out.bytes / 1024).toFixed(0)} KB in all, ${(performance.now() - t0).toFixed(0)} ms)`);
}
