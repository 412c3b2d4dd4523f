// DNS types shared by the engine (resolver layers), the report (query log) and the UI.
// Pure data: no Node, no DOM.

export type RRType = 'TXT' | 'A' | 'AAAA' | 'MX' | 'PTR' | 'CNAME' | 'NS';
export const RR_TYPES: readonly RRType[] = ['TXT', 'A', 'AAAA', 'MX', 'PTR', 'CNAME', 'NS'];

/** DNS response codes as reported in the log; TIMEOUT/BUDGET/MALFORMED/NETWORK are local outcomes, not wire rcodes. */
export type Rcode =
  | 'NOERROR'
  | 'NXDOMAIN'
  | 'SERVFAIL'
  | 'REFUSED'
  | 'FORMERR'
  | 'NOTIMP'
  | 'TIMEOUT'
  | 'BUDGET'
  | 'MALFORMED'
  | 'NETWORK';

export type DnsRecord =
  | { type: 'TXT'; data: string[] } // the character-strings of one TXT record, not yet joined
  | { type: 'A' | 'AAAA' | 'PTR' | 'CNAME' | 'NS'; data: string }
  | { type: 'MX'; data: { preference: number; exchange: string } };

/** Where an answer came from. */
export type DnsSource = 'live' | 'zone' | 'cache' | 'replay' | 'offline' | 'budget';

export interface DnsAnswer {
  rcode: Rcode;
  /** Records of the requested type only (a CNAME chain already followed). */
  records: DnsRecord[];
  source: DnsSource;
  /** CNAME chain followed to reach the answer, owner names in order. */
  cnames?: string[];
  server?: string;
  transport?: 'udp' | 'tcp';
  /** Human explanation for a non-NOERROR outcome, e.g. "no answer from 127.0.0.1:53 after 2 tries of 1500 ms". */
  error?: string;
  /** Seconds the answer may be cached (lowest TTL of the records and CNAMEs; RFC 2308 negative TTL for NXDOMAIN/NODATA). */
  ttl?: number;
}

/** One line of the query log kept with every evaluation; replayable. */
export interface DnsLogEntry {
  seq: number;
  name: string;
  type: RRType;
  rcode: Rcode;
  records: DnsRecord[];
  /** Presentation form of each record, for display (TXT strings quoted and joined by a space). */
  answers: string[];
  source: DnsSource;
  server?: string;
  transport?: 'udp' | 'tcp';
  cnames?: string[];
  ms: number;
  error?: string;
}

/** A saved query log that reproduces a verdict exactly (`--save-dns`, `--replay-dns`). */
export interface DnsReplayFile {
  format: 'authlab-dns-replay';
  version: 1;
  savedAt: string;
  entries: DnsLogEntry[];
}

/** How an evaluation gets its DNS answers. */
export interface DnsSettings {
  /** "HOST" or "HOST:PORT" ("[v6]:PORT"); empty means the system's resolvers. */
  servers?: string[];
  /** What-if zones, RFC 1035 master-file text; their records win over live answers. */
  zones?: { name: string; text: string }[];
  /** Answer everything not in a zone with NXDOMAIN; no network. */
  offline?: boolean;
  /** Answer only from this log; anything not in it is reported as not recorded. */
  replay?: DnsReplayFile;
  timeoutMs?: number;
  tries?: number;
  /** Queries allowed per message before every further query fails with BUDGET. */
  budget?: number;
  /** Milliseconds allowed for all of one message's queries before every further query fails with BUDGET (default 20 000). */
  deadlineMs?: number;
}

/** A copy that shares nothing mutable with `r`: stores and logs hand these out. */
export function cloneRecord(r: DnsRecord): DnsRecord {
  switch (r.type) {
    case 'TXT':
      return { type: 'TXT', data: r.data.slice() };
    case 'MX':
      return { type: 'MX', data: { ...r.data } };
    default:
      return { type: r.type, data: r.data };
  }
}

export function recordToText(r: DnsRecord): string {
  switch (r.type) {
    case 'TXT':
      return r.data.map((s) => JSON.stringify(s)).join(' ');
    case 'MX':
      return `${r.data.preference} ${r.data.exchange}`;
    default:
      return r.data;
  }
}

/** A TXT record's strings concatenated, as SPF/DKIM/DMARC read it (RFC 7208 §3.3, RFC 6376 §3.6.2.2). */
export function txtValue(r: DnsRecord): string | undefined {
  return r.type === 'TXT' ? r.data.join('') : undefined;
}
