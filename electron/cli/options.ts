// The CLI's command lines, read as node:util's parseArgs reads them in strict mode with
// positionals allowed: `--name value`, `--name=value`, `-h` (and groups such as `-hh`), booleans,
// repeatable options, `--` ending the options, and parseArgs' own error messages. Its own small
// reader because `check` is the CLI's cold path: parseArgs costs ~1.5 ms there (its module compiled,
// then every option's config checked by cold code), about 1 % of a `check`, which is measured
// against a third of a bare mailauth run (README, Speed). test/cli-options.test.ts holds it to
// parseArgs case by case.

import { UsageError } from './usage-error.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}

export type OptionValues<T extends Record<string, OptionSpec>> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean' ? (T[K]['multiple'] extends true ? boolean[] : boolean) : T[K]['multiple'] extends true ? string[] : string;
};

/** An option the spec does not have, or a value that is missing or not allowed; the message is parseArgs'. */
export class OptionError extends Error {}

export function parseOptions<T extends Record<string, OptionSpec>>(args: readonly string[], options: T): { values: OptionValues<T>; positionals: string[] } {
  const values: Record<string, unknown> = Object.create(null);
  const positionals: string[] = [];
  const shorts = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) if (o.short) shorts.set(o.short, name);
  const spec = (name: string) => (Object.hasOwn(options, name) ? options[name] : undefined);
  const shown = (name: string) => (options[name]!.short ? `-${options[name]!.short}, --${name}` : `--${name}`);
  const unknown = (raw: string) =>
    new OptionError(`Unknown option '${raw}'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- ${JSON.stringify(raw)}`);
  const store = (name: string, value: string | boolean) => {
    if (options[name]!.multiple) ((values[name] as unknown[] | undefined) ?? (values[name] = [])).push(value);
    else values[name] = value;
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    // a lone '-' (stdin) and anything not starting with '-' are positionals
    if (arg.length < 2 || arg[0] !== '-') {
      positionals.push(arg);
      continue;
    }
    if (arg[1] !== '-') {
      // short options, one per character (-hh); none of this CLI's takes a value
      for (const ch of arg.slice(1)) {
        const name = shorts.get(ch);
        if (name === undefined || options[name]!.type !== 'boolean') throw unknown(`-${ch}`);
        store(name, true);
      }
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const o = name ? spec(name) : undefined;
    if (!o) throw unknown(name && eq >= 0 ? arg.slice(0, eq) : arg);
    if (o.type === 'boolean') {
      if (eq >= 0) throw new OptionError(`Option '${shown(name)}' does not take an argument`);
      store(name, true);
      continue;
    }
    if (eq >= 0) {
      store(name, arg.slice(eq + 1));
      continue;
    }
    const value = args[++i];
    if (value === undefined) throw new OptionError(`Option '${shown(name)} <value>' argument missing`);
    // as parseArgs: a value that looks like an option must be given inline (--at=-5)
    if (value.length > 1 && value[0] === '-') {
      throw new OptionError(
        `Option '${arg}' argument is ambiguous.\nDid you forget to specify the option argument for '${arg}'?\nTo specify an option argument starting with a dash use '${arg}=-XYZ'.`,
      );
    }
    store(name, value);
  }
  return { values: values as OptionValues<T>, positionals };
}

/** A subcommand's command line; a bad one is a usage error (exit 2) in parseArgs' words, without its hint about '--'. */
export function parseCommandLine<T extends Record<string, OptionSpec>>(args: readonly string[], options: T): { values: OptionValues<T>; positionals: string[] } {
  try {
    return parseOptions(args, options);
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    throw new UsageError(err.message.replace(/\. To specify.*$/s, ''));
  }
}
