#!/usr/bin/env node
// Launcher: checks the Node version, turns on V8's compile cache (the CLI's cold start is
// mostly module compilation), then runs the bundled CLI if built, else the TypeScript source.
import module from 'node:module';
import { readFileSync, statSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `authlab: needs Node >= 22.19 (mailauth 7), this is ${process.version}. ` +
      `Run it through npm (npx authlab …), which uses the Node 24 pinned in node_modules.\n`,
  );
  process.exit(2);
}
module.enableCompileCache?.();
const bundled = new URL('../dist/cli/authlab.mjs', import.meta.url);
const { main } = await import(bundleIsFresh() ? bundled.href : new URL('../electron/cli/main.ts', import.meta.url).href);
const code = await main(process.argv.slice(2));
// Let stdout drain before exiting (large JSON through a pipe).
process.stdout.write('', () => process.exit(code));

// The bundle (scripts/build-cli.mjs) is used only while it is newer than every repo file it was
// built from, listed beside it; after an edit (or a checkout) the sources run until the next
// `npm run build:cli`, so a stale bundle can never answer. About 1 ms of stat calls.
function bundleIsFresh() {
  try {
    const built = statSync(bundled).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL('../dist/cli/authlab.inputs.json', import.meta.url), 'utf8'));
    return inputs.every((p) => statSync(new URL(`../${p}`, import.meta.url)).mtimeMs <= built);
  } catch {
    return false;
  }
}
