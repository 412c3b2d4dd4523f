// The SMTP envelope of the connection at the receiving boundary: client IP, HELO name and MAIL
// FROM, either given or read from the Received trace (RFC 5321 §4.4) and Return-Path. Nothing is
// guessed: an IP is only ever one written in a Received header's TCP-info, or one given.

import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import type { Envelope, EnvelopeOrigin, ReceivedHop } from '../../../shared/report.ts';
import { headerValues } from './headers.ts';
import type { HeaderBlock } from './headers.ts';
import { InputError } from './input-error.ts';

interface ReceivedPart {
  value: string;
  comment?: string;
}
type ParsedReceived = Record<string, ReceivedPart | undefined> & { timestamp?: string };

const require = createRequire(import.meta.url);
const { parseReceived, getClientAddress } = require('mailauth/lib/parse-received.js') as {
  parseReceived(buf: Buffer | string): ParsedReceived | false;
  getClientAddress(from: ReceivedPart | undefined): string | false;
};

export interface EnvelopeOptions {
  ip?: string;
  helo?: string;
  /** '' is the null sender <>; undefined: derive. */
  mailFrom?: string;
  /** 1-based Received hop to take as the receiving boundary. */
  hop?: number;
}

/** Parses every Received field, topmost first. */
export function parseReceivedHops(headers: HeaderBlock): ReceivedHop[] {
  const hops: ReceivedHop[] = headerValues(headers, 'received').map((field, i) => {
    const raw = field.raw.toString('utf8');
    const hop: ReceivedHop = { index: i + 1, source: { start: field.start, end: field.end }, raw };
    let parsed: ParsedReceived | false = false;
    try {
      parsed = parseReceived(raw);
    } catch {
      parsed = false;
    }
    if (!parsed) return hop;
    const from = parsed.from;
    if (from?.value) hop.from = from.value;
    if (parsed.by?.value) hop.by = parsed.by.value;
    if (parsed.with?.value) hop.with = parsed.with.value;
    const ip = getClientAddress(from) || bareCommentAddress(from) || qmailClientAddress(field.value);
    if (ip) hop.ip = ip;
    const helo = heloOf(from, field.value);
    if (helo) hop.helo = helo;
    const envFrom = envelopeFromOf(parsed, field.value);
    if (envFrom !== undefined) hop.envelopeFrom = envFrom;
    const date = (parsed.timestamp ?? '').replace(/\s+/g, ' ').trim();
    if (date) hop.date = date;
    return hop;
  });
  // delay: this hop's time minus the time of the hop below it (the older one)
  for (let i = 0; i + 1 < hops.length; i++) {
    const t = parseDate(hops[i].date);
    const older = parseDate(hops[i + 1].date);
    if (t !== undefined && older !== undefined) hops[i].delaySeconds = Math.round((t - older) / 1000);
  }
  return hops;
}

/**
 * The HELO name the client gave. Postfix, Sendmail, Gmail and Microsoft write it as the from
 * value ("from helo (rdns [ip])"); Exim writes "from rdns ([ip] helo=name)" when they differ.
 */
function heloOf(from: ReceivedPart | undefined, value: string): string | undefined {
  if (!from) return undefined;
  const exim = /(?:^|[\s(])helo=([^\s)]+)/i.exec(from.comment ?? '');
  if (exim) return exim[1];
  const qmail = /^from\s+\S+\s+\(HELO\s+([^\s)]+)\)/i.exec(value);
  if (qmail) return qmail[1];
  const v = from.value.trim();
  return v && v.toLowerCase() !== 'unknown' ? v : undefined;
}

/** Microsoft: "from host.example (192.0.2.1) by ...": the comment is the bare address. */
function bareCommentAddress(from: ReceivedPart | undefined): string | undefined {
  const c = (from?.comment ?? '').trim().replace(/^IPv6:/i, '');
  return c && isIP(c) ? c : undefined;
}

// Exchange Online relays a message between its own hosts, each hop stamped with a public IPv6
const MICROSOFT_INTERNAL = /\.(?:prod\.outlook\.com|prod\.exchangelabs\.com|outlook\.office365\.com|mail\.protection\.outlook\.com)$/i;

/** A hop between the receiver's own hosts, not the connection from the outside. */
function isInternalHop(h: ReceivedHop): boolean {
  if (h.ip !== undefined && isInternal(h.ip)) return true;
  return !!h.from && !!h.by && MICROSOFT_INTERNAL.test(h.from) && MICROSOFT_INTERNAL.test(h.by);
}

/** qmail: "from unknown (HELO mail.example) (192.0.2.1)": the bare address in parentheses. */
function qmailClientAddress(value: string): string | undefined {
  const m = /^from\s+\S+\s+(?:\(HELO\s+[^)]*\)\s+)?\((?:[^\s@()]+@)?(?:\S+\s+)?\[?([0-9a-fA-F:.]+)\]?\)/.exec(value);
  return m && /\(HELO\s/i.test(value) && isIP(m[1]) ? m[1] : undefined;
}

/** envelope-from as Exim (a comment "(envelope-from <a@b>)") or others (a clause) write it. */
function envelopeFromOf(parsed: ParsedReceived, value: string): string | undefined {
  const clause = parsed['envelope-from']?.value;
  const m = clause !== undefined ? [clause, clause] : /envelope-from[=\s]\s*(<[^>]*>|[^\s;)]+)/i.exec(value);
  if (!m) return undefined;
  return stripAngles(m[1]);
}

function stripAngles(s: string): string {
  const t = s.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1).trim() : t;
}

function parseDate(d: string | undefined): number | undefined {
  if (!d) return undefined;
  const t = Date.parse(d.replace(/\([^)]*\)/g, ' ').trim());
  return Number.isNaN(t) ? undefined : t;
}

/** Addresses that belong to the receiver's own network: hops between its internal hosts. */
function isInternal(ip: string): boolean {
  const v = ip.toLowerCase();
  if (isIP(v) === 4) {
    const [a, b] = v.split('.').map(Number);
    return a === 127 || a === 10 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (v.startsWith('::ffff:')) return isInternal(v.slice(7));
  return v === '::1' || v === '::' || /^f[cd]/.test(v) || /^fe[89ab]/.test(v);
}

function validIp(given: string): string {
  let ip = given.trim();
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (/^ipv6:/i.test(ip)) ip = ip.slice(5);
  if (!ip) throw new InputError('bad-envelope', 'The client IP is empty: give an IPv4 address like 192.0.2.1 or an IPv6 address like 2001:db8::1, or leave it out to read it from the Received headers.');
  if (isIP(ip) === 0) {
    const why = /^\d+(\.\d+){3}$/.test(ip)
      ? 'each of the four numbers of an IPv4 address must be 0 to 255'
      : /^[\d.]+$/.test(ip)
        ? 'an IPv4 address has four numbers separated by dots'
        : /:/.test(ip)
          ? 'it is not a valid IPv6 address'
          : /^[a-z0-9.-]+$/i.test(ip)
            ? 'it looks like a host name; give the address it connected from'
            : 'it is neither an IPv4 nor an IPv6 address';
    throw new InputError('bad-envelope', `The client IP “${given}” is not an IP address: ${why}.`);
  }
  return ip;
}

function validMailFrom(given: string): string {
  const m = stripAngles(given);
  if (m === '') return '';
  const at = m.lastIndexOf('@');
  if (at === -1 || at === m.length - 1) {
    throw new InputError('bad-envelope', `MAIL FROM “${given}” has no domain: give an address like bounce@example.com, or an empty string for the null sender <>.`);
  }
  if (/\s/.test(m.replace(/^"[^"]*"/, ''))) throw new InputError('bad-envelope', `MAIL FROM “${given}” contains spaces outside a quoted local-part.`);
  return m;
}

function validHelo(given: string): string {
  const h = given.trim();
  if (!h || /\s/.test(h)) throw new InputError('bad-envelope', `The HELO name “${given}” must be one host name or address literal, without spaces.`);
  return h;
}

export function deriveEnvelope(headers: HeaderBlock, opts: EnvelopeOptions = {}): Envelope {
  const hops = parseReceivedHops(headers);
  const givenIp = opts.ip !== undefined ? validIp(opts.ip) : undefined;
  const givenHelo = opts.helo !== undefined ? validHelo(opts.helo) : undefined;
  const givenMailFrom = opts.mailFrom !== undefined ? validMailFrom(opts.mailFrom) : undefined;

  let boundary: ReceivedHop | undefined;
  if (opts.hop !== undefined) {
    if (!Number.isInteger(opts.hop) || opts.hop < 1 || opts.hop > hops.length) {
      throw new InputError(
        'bad-envelope',
        hops.length === 0
          ? `There is no Received hop ${opts.hop}: the message has no Received headers.`
          : `There is no Received hop ${opts.hop}: the message has ${hops.length} Received header${hops.length === 1 ? '' : 's'} (hops 1 to ${hops.length}, 1 = topmost).`,
      );
    }
    boundary = hops[opts.hop - 1];
  } else if (givenIp !== undefined) {
    // the HELO of a given IP can only come from a hop of that same connection
    boundary = hops.find((h) => h.ip !== undefined && sameIp(h.ip, givenIp));
  } else {
    // the topmost hop with a client IP, passing over the receiver's internal hops (content
    // filters on 127.0.0.1, internal relays on private addresses) when an outside one is below
    const withIp = hops.filter((h) => h.ip !== undefined);
    boundary = withIp.find((h) => !isInternalHop(h)) ?? withIp[0];
  }

  const origin: Envelope['origin'] = { ip: 'none', helo: 'none', mailFrom: 'none' };
  const env: Envelope = { origin, hops };
  if (boundary) env.hop = boundary.index;

  if (givenIp !== undefined) {
    env.ip = givenIp;
    origin.ip = 'given';
  } else if (boundary?.ip) {
    env.ip = boundary.ip;
    origin.ip = 'received';
  }

  if (givenHelo !== undefined) {
    env.helo = givenHelo;
    origin.helo = 'given';
  } else if (boundary?.helo) {
    env.helo = boundary.helo;
    origin.helo = 'received';
  }

  const mf = mailFromOf(headers, boundary, givenMailFrom);
  if (mf.value !== undefined) env.mailFrom = mf.value;
  origin.mailFrom = mf.origin;
  return env;
}

function mailFromOf(headers: HeaderBlock, boundary: ReceivedHop | undefined, given: string | undefined): { value?: string; origin: EnvelopeOrigin } {
  if (given !== undefined) return { value: given, origin: 'given' };
  const rp = headerValues(headers, 'return-path')[0];
  if (rp) {
    const m = /<([^>]*)>/.exec(rp.value);
    const v = (m ? m[1] : rp.value).trim();
    if (v === '' || v.includes('@')) return { value: v, origin: 'return-path' };
  }
  if (boundary?.envelopeFrom !== undefined) return { value: boundary.envelopeFrom, origin: 'received' };
  return { origin: 'none' };
}

function sameIp(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
  return norm(a) === norm(b);
}
