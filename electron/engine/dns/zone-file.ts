// RFC 1035 §5 master files, the subset a what-if zone needs: the records a user pastes from
// their DNS host's export, with every mistake reported by line so the zone editor can point at it.

import net from 'node:net';
import type { DnsRecord, RRType } from '../../../shared/dns.ts';
import { cloneRecord, RR_TYPES } from '../../../shared/dns.ts';
import { MemoryResolver } from './memory-resolver.ts';

export interface ZoneRecord {
  /** Owner name, lower-case, no trailing dot. */
  name: string;
  ttl: number;
  record: DnsRecord;
  line: number;
}

export interface ZoneDiagnostic {
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface ZoneParseOptions {
  /** The zone's name: the origin until a $ORIGIN says otherwise (when it is a domain name; a file path is only a label).
   *  Without an origin, relative names are relative to the root. */
  name?: string;
  /** TTL of records with none and no $TTL before them (default 3600). */
  defaultTtl?: number;
}

/** A zone that cannot be used; `code` is the engine's input-error code. */
export class ZoneSyntaxError extends Error {
  readonly code = 'bad-zone';
  readonly line: number;
  readonly zone: string | undefined;
  readonly detail: string;
  constructor(line: number, detail: string, zone?: string) {
    super(`${zone ? `zone ${zone}, ` : ''}line ${line}: ${detail}`);
    this.name = 'ZoneSyntaxError';
    this.line = line;
    this.zone = zone;
    this.detail = detail;
  }
}

/** Parses a zone, throwing the first error; warnings are dropped (parseZoneLenient shows them). */
export function parseZone(text: string, options: ZoneParseOptions = {}): ZoneRecord[] {
  const { records, diagnostics } = parseZoneLenient(text, options);
  const first = diagnostics.find((d) => d.severity === 'error');
  if (first) throw new ZoneSyntaxError(first.line, first.message, options.name);
  return records;
}

/** Parses what it can: the good records plus every problem found, for the editor while the user types. */
export function parseZoneLenient(text: string, options: ZoneParseOptions = {}): { records: ZoneRecord[]; diagnostics: ZoneDiagnostic[] } {
  const diagnostics: ZoneDiagnostic[] = [];
  const records: ZoneRecord[] = [];
  let origin = originOf(options.name);
  let defaultTtl: number | undefined;
  let lastTtl: number | undefined;
  let lastOwner: string | undefined;

  for (const entry of tokenize(text, diagnostics)) {
    try {
      const t = entry.tokens;
      const head = t[0]!;
      if (!entry.indented && !head.quoted && head.text.startsWith('$')) {
        const directive = head.text.toUpperCase();
        if (directive === '$ORIGIN') {
          if (t.length !== 2) throw fail(head.line, '$ORIGIN takes one domain name');
          origin = resolveName(word(t[1]!, 'a domain name'), origin, t[1]!.line, true);
        } else if (directive === '$TTL') {
          if (t.length !== 2) throw fail(head.line, '$TTL takes one TTL');
          defaultTtl = parseTtl(word(t[1]!, 'a TTL'), t[1]!.line);
          if (defaultTtl === undefined) throw fail(t[1]!.line, `$TTL "${t[1]!.text}" is not a TTL (seconds, or units like 1h30m)`);
        } else if (directive === '$INCLUDE' || directive === '$GENERATE') {
          throw fail(head.line, `${directive} is not supported in a what-if zone: paste the records themselves`);
        } else {
          throw fail(head.line, `unknown directive ${head.text} (expected $ORIGIN or $TTL)`);
        }
        continue;
      }

      let i = 0;
      let owner: string;
      if (entry.indented) {
        if (lastOwner === undefined) throw fail(entry.line, 'the line starts with a blank, so it reuses the previous owner name, but there is none yet');
        owner = lastOwner;
      } else {
        owner = resolveName(word(t[0]!, 'an owner name'), origin, t[0]!.line, false);
        i = 1;
      }
      lastOwner = owner;

      // [TTL] [class] or [class] [TTL], then the type (RFC 1035 §5.1).
      let ttl: number | undefined;
      let seenClass = false;
      for (let k = 0; k < 2 && i < t.length && !t[i]!.quoted; k++) {
        const w = t[i]!.text;
        const asTtl = ttl === undefined ? parseTtl(w, t[i]!.line) : undefined;
        if (asTtl !== undefined) {
          ttl = asTtl;
          i++;
        } else if (!seenClass && /^(IN|CH|CS|HS|ANY)$/i.test(w)) {
          if (w.toUpperCase() !== 'IN') throw fail(t[i]!.line, `class ${w.toUpperCase()} is not supported: only IN`);
          seenClass = true;
          i++;
        } else break;
      }
      const typeTok = t[i];
      if (!typeTok) throw fail(entry.line, `record for ${owner || '.'} has no type`);
      const typeWord = word(typeTok, 'a record type').toUpperCase();
      if (!(RR_TYPES as readonly string[]).includes(typeWord)) {
        throw fail(
          typeTok.line,
          /^[A-Z][A-Z0-9-]*$/.test(typeWord)
            ? `record type ${typeWord} is not supported (a what-if zone takes ${RR_TYPES.join(', ')})`
            : `expected a record type, got "${typeTok.text}"`,
        );
      }
      const type = typeWord as RRType;
      const data = t.slice(i + 1);
      if (ttl !== undefined) lastTtl = ttl;
      // RFC 2308 §4: $TTL applies to records without one; before it, the last explicit TTL (RFC 1035).
      const effective = ttl ?? defaultTtl ?? lastTtl ?? options.defaultTtl ?? 3600;
      const record = parseData(type, data, typeTok.line, origin, diagnostics);
      records.push({ name: owner, ttl: effective, record, line: entry.line });
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      diagnostics.push({ line: err.line, severity: 'error', message: err.message });
    }
  }

  checkCnames(records, diagnostics);
  diagnostics.sort((a, b) => a.line - b.line);
  return { records, diagnostics };
}

/** Loads zones into one memory store for the overlay; the first error throws a ZoneSyntaxError naming the zone. */
export function loadZones(zones: { name: string; text: string }[], into: MemoryResolver = new MemoryResolver('zone')): MemoryResolver {
  for (const zone of zones) {
    for (const r of parsedZone(zone.name, zone.text)) into.add(r.name, cloneRecord(r.record));
  }
  return into;
}

// Every message of a batch (and the strict/lenient re-run) brings the same zone text: parse it
// once. Tokenizing was ~8% of a 10 KB message's evaluation. Bounded; only parses that succeeded.
const ZONE_CACHE_ENTRIES = 16;
const ZONE_CACHE_MAX_CHARS = 1 << 20;
const zoneCache = new Map<string, ZoneRecord[]>();
function parsedZone(name: string, text: string): ZoneRecord[] {
  if (text.length > ZONE_CACHE_MAX_CHARS) return parseZone(text, { name });
  const key = `${name}\0${text}`;
  let records = zoneCache.get(key);
  if (records) {
    zoneCache.delete(key); // most recently used last
  } else {
    records = parseZone(text, { name });
    if (zoneCache.size >= ZONE_CACHE_ENTRIES) zoneCache.delete(zoneCache.keys().next().value!);
  }
  zoneCache.set(key, records);
  return records;
}

// ---------------------------------------------------------------------------------------------

class LineError extends Error {
  line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}
const fail = (line: number, message: string) => new LineError(line, message);

interface Token {
  /** The value with escapes resolved (UTF-8 decoded). */
  text: string;
  /** Octet length of the value, what the 255 limit counts. */
  bytes: number;
  quoted: boolean;
  line: number;
}

interface Entry {
  line: number;
  /** Started with a blank: the owner is the previous record's (RFC 1035 §5.1). */
  indented: boolean;
  tokens: Token[];
}

/** Splits the text into entries (one line, or several joined by parentheses) of tokens. */
function tokenize(text: string, diagnostics: ZoneDiagnostic[]): Entry[] {
  const entries: Entry[] = [];
  let line = 1;
  let i = 0;
  let entry: Entry | undefined;
  let parenLine = 0; // line of the open '(', 0 when none is open
  let broken = false; // the current entry had a lexical error: drop it
  const error = (l: number, message: string) => {
    diagnostics.push({ line: l, severity: 'error', message });
    broken = true;
  };
  const endEntry = () => {
    if (entry && entry.tokens.length && !broken) entries.push(entry);
    entry = undefined;
    broken = false;
  };
  let atLineStart = true;

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      atLineStart = true;
      if (!parenLine) endEntry();
      continue;
    }
    if (atLineStart && !parenLine && !entry) entry = { line, indented: c === ' ' || c === '\t', tokens: [] };
    atLineStart = false;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    entry ??= { line, indented: false, tokens: [] };
    if (c === '(') {
      if (parenLine) error(line, `"(" inside the "(" opened on line ${parenLine}`);
      else parenLine = line;
      i++;
      continue;
    }
    if (c === ')') {
      if (!parenLine) error(line, '")" without an opening "("');
      parenLine = 0;
      i++;
      continue;
    }
    const quoted = c === '"';
    const start = line;
    const out: number[] = [];
    if (quoted) i++;
    let closed = !quoted;
    while (i < text.length) {
      const d = text[i]!;
      if (quoted && d === '"') {
        closed = true;
        i++;
        break;
      }
      if (d === '\n' || (!quoted && (d === ' ' || d === '\t' || d === '\r' || d === ';' || d === '(' || d === ')' || d === '"'))) break;
      if (d === '\\') {
        const ddd = /^\d{3}/.exec(text.slice(i + 1, i + 4));
        if (ddd) {
          const v = Number(ddd[0]);
          if (v > 255) error(line, `escape \\${ddd[0]} is not a byte (at most \\255)`);
          out.push(v & 0xff);
          i += 4;
          continue;
        }
        if (i + 1 >= text.length || text[i + 1] === '\n') {
          error(line, 'a backslash at the end of a line escapes nothing');
          i++;
          continue;
        }
        const cp = text.codePointAt(i + 1)!;
        out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
        i += 1 + String.fromCodePoint(cp).length;
        continue;
      }
      const cp = text.codePointAt(i)!;
      if (cp < 0x80) {
        // ASCII, nearly every character of a zone: its own byte (a Buffer per character made
        // parsing a 2048-bit DKIM key record cost ~2 ms on a cold start)
        out.push(cp);
        i++;
        continue;
      }
      const ch = String.fromCodePoint(cp);
      out.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
    if (!closed) {
      error(start, 'quoted string is not closed on this line (a closing " is missing)');
      while (i < text.length && text[i] !== '\n') i++;
    }
    entry.tokens.push({ text: Buffer.from(out).toString('utf8'), bytes: out.length, quoted, line: start });
  }
  if (parenLine) error(parenLine, `"(" opened on line ${parenLine} is never closed`);
  endEntry();
  return entries;
}

/** The zone's name as an origin, unless it is only a label (the CLI names a zone by its file path). */
function originOf(name: string | undefined): string | undefined {
  const n = name?.trim().toLowerCase();
  if (!n || !/^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/.test(n)) return undefined;
  return stripDot(n);
}

function word(t: Token, what: string): string {
  if (t.quoted) throw fail(t.line, `expected ${what}, got the quoted string "${t.text}"`);
  return t.text;
}

function stripDot(n: string): string {
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** Absolute (trailing dot), '@', or relative to the origin (the root when there is none). */
function resolveName(text: string, origin: string | undefined, line: number, forOrigin: boolean): string {
  let name: string;
  if (text === '@') {
    if (origin === undefined) throw fail(line, '"@" needs an origin: add $ORIGIN or give the zone a name');
    name = origin;
  } else if (text.endsWith('.')) {
    name = text === '.' ? '' : text.slice(0, -1);
  } else {
    name = origin ? `${text}.${origin}` : text;
  }
  name = name.toLowerCase();
  if (name === '' && !forOrigin) return name;
  for (const label of name.split('.')) {
    if (label === '' && name !== '') throw fail(line, `"${text}" has an empty label (two dots in a row?)`);
    if (Buffer.byteLength(label) > 63) throw fail(line, `"${text}" has a label longer than 63 octets`);
  }
  if (name.length > 253) throw fail(line, `"${text}" is longer than 253 characters`);
  return name;
}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds, or BIND's units (1h30m); undefined when the word is not a TTL. */
function parseTtl(w: string, line: number): number | undefined {
  let seconds: number;
  if (/^\d+$/.test(w)) seconds = Number(w);
  else if (/^(\d+[smhdw])+$/i.test(w)) {
    seconds = 0;
    for (const m of w.matchAll(/(\d+)([smhdw])/gi)) seconds += Number(m[1]) * TTL_UNITS[m[2]!.toLowerCase()]!;
  } else return undefined;
  if (seconds > 2147483647) throw fail(line, `TTL ${w} is larger than 2147483647 seconds (RFC 2181 §8)`);
  return seconds;
}

function parseData(type: RRType, data: Token[], line: number, origin: string | undefined, diagnostics: ZoneDiagnostic[]): DnsRecord {
  const one = (what: string): Token => {
    if (data.length !== 1) throw fail(data[1]?.line ?? line, `${type} takes one ${what}, found ${data.length} values`);
    return data[0]!;
  };
  switch (type) {
    case 'TXT': {
      if (!data.length) throw fail(line, 'TXT needs at least one string');
      for (const t of data) {
        if (t.bytes > 255) throw fail(t.line, `TXT string of ${t.bytes} bytes is too long: split it into strings of at most 255 bytes ("…" "…")`);
      }
      if (data.length > 1 && data.some((t) => !t.quoted)) {
        diagnostics.push({
          line,
          severity: 'warning',
          message: 'unquoted words are separate strings, joined without spaces when read (v=spf1 -all reads as "v=spf1-all"): quote the value',
        });
      }
      return { type, data: data.map((t) => t.text) };
    }
    case 'A': {
      const t = one('IPv4 address');
      if (t.quoted || !net.isIPv4(t.text)) throw fail(t.line, `"${t.text}" is not an IPv4 address`);
      return { type, data: t.text };
    }
    case 'AAAA': {
      const t = one('IPv6 address');
      if (t.quoted || !net.isIPv6(t.text)) throw fail(t.line, `"${t.text}" is not an IPv6 address`);
      return { type, data: t.text.toLowerCase() };
    }
    case 'MX': {
      if (data.length !== 2) throw fail(line, `MX takes a preference and an exchange, found ${data.length} values`);
      const pref = word(data[0]!, 'a preference');
      if (!/^\d+$/.test(pref) || Number(pref) > 65535) throw fail(data[0]!.line, `MX preference "${pref}" is not a number from 0 to 65535`);
      // "." is the null MX of RFC 7505.
      return { type, data: { preference: Number(pref), exchange: resolveName(word(data[1]!, 'a host name'), origin, data[1]!.line, false) } };
    }
    case 'CNAME':
    case 'NS':
    case 'PTR': {
      const t = one('domain name');
      const target = resolveName(word(t, 'a domain name'), origin, t.line, false);
      if (target === '') throw fail(t.line, `${type} cannot point at the root`);
      return { type, data: target };
    }
  }
}

/** RFC 1034 §3.6.2 / RFC 2181 §10.1: a CNAME is alone at its name. */
function checkCnames(records: ZoneRecord[], diagnostics: ZoneDiagnostic[]): void {
  const byName = new Map<string, ZoneRecord[]>();
  for (const r of records) {
    const list = byName.get(r.name);
    if (list) list.push(r);
    else byName.set(r.name, [r]);
  }
  for (const [name, list] of byName) {
    const cnames = list.filter((r) => r.record.type === 'CNAME');
    if (!cnames.length) continue;
    const other = list.find((r) => r !== cnames[0]);
    if (other) {
      diagnostics.push({
        line: other.line,
        severity: 'error',
        message: `${name} has a CNAME (line ${cnames[0]!.line}), so it cannot have other records (RFC 1034 §3.6.2)`,
      });
    }
  }
}
