// Client addresses for SPF: parsing, CIDR matching and the forms the i/c/v macros and the PTR
// lookup need. IPv4-mapped IPv6 addresses are IPv4 clients (RFC 7208 §5).

import { isIPv4, isIPv6 } from 'node:net';

export interface SpfIp {
  family: 4 | 6;
  /** 4 or 16 bytes. */
  bytes: number[];
}

function parseV4(text: string): number[] {
  return text.split('.').map((p) => Number(p));
}

function parseV6(text: string): number[] {
  let head = text;
  let tail4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    // embedded dotted quad in the last 32 bits
    tail4 = parseV4(text.slice(lastColon + 1));
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const l = groups(left ?? '');
  const r = right === undefined ? [] : groups(right);
  const all = right === undefined ? l : [...l, ...new Array(8 - l.length - r.length).fill(0), ...r];
  const bytes: number[] = [];
  for (const g of all) bytes.push((g >> 8) & 0xff, g & 0xff);
  if (tail4.length) bytes.splice(12, 4, ...tail4);
  return bytes;
}

/** Parses a client or network address; undefined when it is neither IPv4 nor IPv6 (zone ids refused). */
export function parseIp(text: string, opts: { unmap?: boolean } = {}): SpfIp | undefined {
  const t = text.trim();
  if (isIPv4(t)) return { family: 4, bytes: parseV4(t) };
  if (!isIPv6(t) || t.includes('%')) return undefined;
  const bytes = parseV6(t);
  if (opts.unmap !== false && isV4Mapped(bytes)) return { family: 4, bytes: bytes.slice(12) };
  return { family: 6, bytes };
}

function isV4Mapped(b: number[]): boolean {
  return b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** True when `ip` lies in `net`/`prefix`; addresses of different families never match. */
export function ipInCidr(ip: SpfIp, net: SpfIp, prefix: number): boolean {
  if (ip.family !== net.family) return false;
  let bits = prefix;
  for (let i = 0; i < ip.bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((ip.bytes[i] ?? 0) & mask) !== ((net.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Readable form, the %{c} macro: dotted quad, or compressed lower-case IPv6 (RFC 5952). */
export function formatIp(ip: SpfIp): string {
  if (ip.family === 4) return ip.bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i] ?? 0) << 8) | (ip.bytes[i + 1] ?? 0));
  // longest run of two or more zero groups becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The %{i} macro: dotted quad, or 32 dot-separated nibbles for IPv6 (RFC 7208 §7.3). */
export function dottedIp(ip: SpfIp): string {
  if (ip.family === 4) return ip.bytes.join('.');
  return ip.bytes.flatMap((b) => [(b >> 4).toString(16), (b & 15).toString(16)]).join('.');
}

/** The reverse-lookup name of the address (in-addr.arpa / ip6.arpa). */
export function reverseName(ip: SpfIp): string {
  return `${dottedIp(ip).split('.').reverse().join('.')}.${ip.family === 4 ? 'in-addr' : 'ip6'}.arpa`;
}

export function sameIp(a: SpfIp, b: SpfIp): boolean {
  return a.family === b.family && a.bytes.every((x, i) => x === b.bytes[i]);
}
