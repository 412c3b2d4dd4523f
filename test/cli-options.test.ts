// electron/cli/options.ts reads the CLI's command lines in place of node:util's parseArgs (strict,
// positionals allowed), for `check`'s cold start: every case here gives what parseArgs gives, the
// same values and positionals, or the same error message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { parseCommandLine, parseOptions, OptionError } from '../electron/cli/options.ts';
import { CHECK_OPTIONS } from '../electron/cli/check.ts';
import { parse as parseKeysLine, STORE_OPTIONS } from '../electron/cli/keys.ts';
import { UsageError } from '../electron/cli/usage-error.ts';

type Outcome = { ok: true; values: Record<string, unknown>; positionals: string[] } | { ok: false; message: string };

function viaParseArgs(args: string[]): Outcome {
  try {
    const r = parseArgs({ args, allowPositionals: true, strict: true, options: CHECK_OPTIONS });
    return { ok: true, values: { ...r.values }, positionals: r.positionals };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

function viaOptions(args: string[]): Outcome {
  try {
    const r = parseOptions(args, CHECK_OPTIONS);
    return { ok: true, values: { ...r.values }, positionals: r.positionals };
  } catch (err) {
    assert.ok(err instanceof OptionError, `only OptionError for bad input: ${String(err)}`);
    return { ok: false, message: err.message };
  }
}

const CASES: string[][] = [
  [],
  ['msg.eml'],
  ['-'],
  ['msg.eml', '--json'],
  ['--json', 'msg.eml', '--offline', '--lenient', '--no-color', '--headers-only'],
  ['msg.eml', '--ip', '192.0.2.1', '--helo', 'mail.example.com', '--mail-from', 'a@example.com'],
  ['msg.eml', '--mail-from', ''],
  ['msg.eml', '--mail-from='],
  ['msg.eml', '--ip=192.0.2.1', '--hop=2', '--at=2026-11-24T10:05:00Z'],
  ['msg.eml', '--zone', 'a.zone', '--zone', 'b.zone', '--zone=c.zone'],
  ['msg.eml', '--dns', '127.0.0.1:5353', '--dns', '[::1]:53'],
  ['msg.eml', '--fail-on', 'dkim,spf', '--fail-on', 'dmarc'],
  ['msg.eml', '--at', '-5'],
  ['msg.eml', '--at=-5'],
  ['msg.eml', '--zone', '-'],
  ['msg.eml', '--zone', '--json'],
  ['msg.eml', '--zone'],
  ['--zone'],
  ['msg.eml', '--json=yes'],
  ['msg.eml', '--help='],
  ['msg.eml', '--json', '--json'],
  ['msg.eml', '--ip', 'a', '--ip', 'b'],
  ['msg.eml', '--nope'],
  ['msg.eml', '--nope=1'],
  ['msg.eml', '-x'],
  ['msg.eml', '-h'],
  ['-h'],
  ['-hh'],
  ['-hx'],
  ['-h=1'],
  ['--help'],
  ['---x'],
  ['--=x'],
  ['--', '--json', '-h'],
  ['msg.eml', '--', '-'],
  ['a.eml', 'b.eml'],
  ['msg.eml', '--toString'],
  ['msg.eml', '--__proto__', 'x'],
  ['msg.eml', '--constructor'],
  ['msg.eml', '--workers', '2', '--max-size', '0.5', '--timeout', '100', '--authserv-id', 'mx.example', '--save-dns', 'log.json', '--replay-dns', 'log.json'],
  ['msg.eml', '--IP', '192.0.2.1'],
];

test('the check command line is read as parseArgs reads it: values, positionals and error messages', () => {
  for (const args of CASES) assert.deepEqual(viaOptions(args), viaParseArgs(args), JSON.stringify(args));
});

test('both outcomes are exercised, and what check relies on holds', () => {
  const outcomes = CASES.map(viaOptions);
  assert.ok(outcomes.filter((o) => o.ok).length >= 15 && outcomes.filter((o) => !o.ok).length >= 10);
  // the null sender is an empty value, not a missing one; a repeated option collects
  assert.deepEqual(viaOptions(['m', '--mail-from', '']), { ok: true, values: { 'mail-from': '' }, positionals: ['m'] });
  assert.deepEqual(viaOptions(['m', '--zone', 'a', '--zone=b']), { ok: true, values: { zone: ['a', 'b'] }, positionals: ['m'] });
  // no option name reaches Object.prototype
  const r = parseOptions(['m', '--json'], CHECK_OPTIONS);
  assert.equal(Object.getPrototypeOf(r.values), null);
});

test('keys, keygen and sign read theirs the same way, and a bad command line is a usage error without the hint about --', () => {
  const options = { ...STORE_OPTIONS, domain: { type: 'string' }, json: { type: 'boolean' }, zone: { type: 'string', multiple: true } } as const;
  for (const args of [...CASES, ['--domain', 'example.com', '--passphrase-file=p', '-h', 'x']]) {
    const viaKeys = (() => {
      try {
        const r = parseKeysLine(args, options);
        return { ok: true, values: { ...r.values }, positionals: r.positionals };
      } catch (err) {
        assert.ok(err instanceof UsageError, String(err));
        return { ok: false, message: err.message };
      }
    })();
    const expected = (() => {
      try {
        const r = parseArgs({ args, allowPositionals: true, strict: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
        return { ok: true, values: { ...r.values }, positionals: r.positionals };
      } catch (err) {
        return { ok: false, message: (err as Error).message.replace(/\. To specify.*$/s, '') };
      }
    })();
    assert.deepEqual(viaKeys, expected, JSON.stringify(args));
  }
  assert.throws(() => parseCommandLine(['--nope'], CHECK_OPTIONS), (err: unknown) => err instanceof UsageError && err.message === "Unknown option '--nope'");
});
