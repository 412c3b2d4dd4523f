// SPF macro strings (RFC 7208 §7): the parser used by the syntax check, and the expansion used
// for target names and explanation text.

import { dottedIp, formatIp, type SpfIp } from './spf-ip.ts';

export type MacroToken = { literal: string } | { escape: '%' | ' ' | '%20' } | { letter: string; digits?: number; reverse: boolean; delimiters: string; url: boolean; text: string };

export class MacroSyntaxError extends Error {}

const LETTERS = 'slodiphvcrt';
/** c, r and t are allowed only in explanation text (RFC 7208 §7.1). */
const EXP_ONLY = 'crt';
const EXPAND = /^([a-z])(\d*)(r?)([.\-+,/_=]*)$/i;

/**
 * Parses a macro-string (or, with `explain`, an explain-string where spaces and the c/r/t
 * letters are allowed). Throws MacroSyntaxError on the first problem.
 */
export function parseMacroString(input: string, opts: { explain?: boolean; anyLetter?: boolean } = {}): MacroToken[] {
  const tokens: MacroToken[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === '%') {
      const next = input[i + 1];
      if (next === '%' || next === '_' || next === '-') {
        tokens.push({ escape: next === '%' ? '%' : next === '_' ? ' ' : '%20' });
        i += 2;
        continue;
      }
      if (next !== '{') throw new MacroSyntaxError(`"%" must be followed by "{", "%", "_" or "-" (at "${input.slice(i, i + 3)}")`);
      const end = input.indexOf('}', i + 2);
      if (end < 0) throw new MacroSyntaxError(`unterminated macro "${input.slice(i)}"`);
      const body = input.slice(i + 2, end);
      const m = EXPAND.exec(body);
      if (!m) throw new MacroSyntaxError(`invalid macro "%{${body}}"`);
      const letter = m[1]!;
      const lower = letter.toLowerCase();
      if (!LETTERS.includes(lower)) throw new MacroSyntaxError(`unknown macro letter "${letter}" in "%{${body}}"`);
      if (EXP_ONLY.includes(lower) && !opts.explain && !opts.anyLetter) {
        throw new MacroSyntaxError(`macro "%{${body}}" is allowed only in explanation text`);
      }
      const digits = m[2] ? Number(m[2]) : undefined;
      if (digits === 0) throw new MacroSyntaxError(`macro "%{${body}}": the number of parts must be at least 1`);
      tokens.push({ letter: lower, digits, reverse: m[3] !== '', delimiters: m[4] ?? '', url: letter !== lower, text: `%{${body}}` });
      i = end + 1;
      continue;
    }
    const code = input.charCodeAt(i);
    // macro-literal = %x21-24 / %x26-7E; explain-string adds SP
    if ((code >= 0x21 && code <= 0x7e) || (code === 0x20 && opts.explain)) {
      const last = tokens[tokens.length - 1];
      if (last && 'literal' in last) last.literal += ch;
      else tokens.push({ literal: ch });
      i++;
      continue;
    }
    throw new MacroSyntaxError(`character ${JSON.stringify(ch)} is not allowed here`);
  }
  return tokens;
}

/** toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
export const TOPLABEL = /^(?:[a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9-]*[a-z0-9])$/i;

/** domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand. */
export function checkDomainSpec(spec: string): void {
  const tokens = parseMacroString(spec);
  const last = tokens[tokens.length - 1];
  if (!last) throw new MacroSyntaxError('the domain is empty');
  if (!('literal' in last)) return;
  const literal = last.literal.endsWith('.') ? last.literal.slice(0, -1) : last.literal;
  const dot = literal.lastIndexOf('.');
  const top = literal.slice(dot + 1);
  if (dot < 0 || !TOPLABEL.test(top)) {
    throw new MacroSyntaxError(`"${spec}" does not end in a valid top-level label${/^\d+$/.test(top) ? ' (it is all digits: an IP address belongs in ip4:, not a:)' : ''}`);
  }
}

export interface MacroContext {
  sender: string;
  /** Current <domain> of check_host(). */
  domain: string;
  ip: SpfIp;
  helo: string;
  receivingHost: string;
  now: Date;
  /** The validated client name for %{p}, resolved by the caller only when the string uses it. */
  p?: string;
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded (upper-case macros). */
function urlEscape(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function letterValue(letter: string, ctx: MacroContext): string {
  const at = ctx.sender.lastIndexOf('@');
  switch (letter) {
    case 's':
      return ctx.sender;
    case 'l':
      return at > 0 ? ctx.sender.slice(0, at) : 'postmaster';
    case 'o':
      return ctx.sender.slice(at + 1);
    case 'd':
      return ctx.domain;
    case 'i':
      return dottedIp(ctx.ip);
    case 'p':
      return ctx.p ?? 'unknown';
    case 'v':
      return ctx.ip.family === 4 ? 'in-addr' : 'ip6';
    case 'h':
      return ctx.helo;
    case 'c':
      return formatIp(ctx.ip);
    case 'r':
      return ctx.receivingHost;
    case 't':
      return String(Math.floor(ctx.now.getTime() / 1000));
    default:
      throw new MacroSyntaxError(`unknown macro letter "${letter}"`);
  }
}

/** Expands parsed tokens (RFC 7208 §7.3: split on delimiters, reverse, keep the right-hand parts, join with dots). */
export function expandTokens(tokens: MacroToken[], ctx: MacroContext): string {
  let out = '';
  for (const t of tokens) {
    if ('literal' in t) out += t.literal;
    else if ('escape' in t) out += t.escape;
    else {
      let value = letterValue(t.letter, ctx);
      if (t.reverse || t.digits !== undefined || t.delimiters) {
        const delims = t.delimiters || '.';
        let parts = value.split(new RegExp(`[${delims.replace(/[-\\\]^/]/g, '\\$&')}]`));
        if (t.reverse) parts.reverse();
        if (t.digits !== undefined && t.digits < parts.length) parts = parts.slice(parts.length - t.digits);
        value = parts.join('.');
      }
      out += t.url ? urlEscape(value) : value;
    }
  }
  return out;
}

export function usesLetter(tokens: MacroToken[], letter: string): boolean {
  return tokens.some((t) => 'letter' in t && t.letter === letter);
}
