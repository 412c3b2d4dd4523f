// A stub resolver on dns-packet: asks recursive servers over UDP (TCP when the reply is truncated)
// and reports every outcome — timeouts, refusals, garbage — as an answer with an rcode, so a
// verdict can say exactly why a lookup failed. Node's own resolver hides most of that detail.

import dgram from 'node:dgram';
import net from 'node:net';
import { getServers } from 'node:dns';
import { randomInt } from 'node:crypto';
import packet from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import type { DnsAnswer, DnsRecord, Rcode, RRType } from '../../../shared/dns.ts';
import { normalizeName, type Resolver } from './resolver.ts';

export interface LiveResolverOptions {
  /** "HOST", "HOST:PORT" or "[v6]:PORT" (HOST an IP address); none: the system's resolvers. */
  servers?: string[];
  /** Per attempt, UDP or TCP. */
  timeoutMs?: number;
  /** Rounds over the servers before giving up on timeouts and bad replies. */
  tries?: number;
}

export interface DnsServerAddress {
  host: string;
  port: number;
  /** "127.0.0.1:53", "[::1]:53": how the server is shown in the log. */
  label: string;
}

/** Parses one server setting; throws on anything that is not an IP address with an optional port. */
export function parseServer(text: string): DnsServerAddress {
  const s = text.trim();
  let host = s;
  let port = 53;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (s.split(':').length === 2) {
    const [h, p] = s.split(':');
    host = h!;
    if (!/^\d+$/.test(p!)) throw new Error(`DNS server "${text}": the port must be a number`);
    port = Number(p);
  }
  if (!net.isIP(host)) throw new Error(`DNS server "${text}": expected an IP address, "IP:PORT" or "[IPv6]:PORT"`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`DNS server "${text}": port ${port} is out of range`);
  return { host, port, label: net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}` };
}

/** Whether a name can be put in a question: labels of 1–63 octets, at most 255 octets on the wire. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'the name is empty';
  const labels = name.split('.');
  let wire = 1;
  for (const label of labels) {
    const len = Buffer.byteLength(label);
    if (len === 0) return `"${name}" has an empty label`;
    if (len > 63) return `"${name}" has a label of ${len} octets (at most 63)`;
    wire += len + 1;
  }
  if (wire > 255) return `"${name}" is ${wire} octets long (at most 255)`;
  return undefined;
}

// EDNS0 payload size of the DNS Flag Day 2020: fits unfragmented in common paths.
const EDNS_UDP_SIZE = 1232;
const MAX_CNAME_HOPS = 8;
const WIRE_RCODES: readonly string[] = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP'];

type Exchange =
  | { kind: 'reply'; reply: DecodedPacket; transport: 'udp' | 'tcp' }
  | { kind: 'timeout' }
  | { kind: 'malformed'; error: string }
  | { kind: 'network'; error: string };

export class LiveResolver implements Resolver {
  readonly timeoutMs: number;
  readonly tries: number;
  private readonly configured: DnsServerAddress[] | undefined;

  constructor(options: LiveResolverOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.tries = Math.max(1, options.tries ?? 2);
    this.configured = options.servers?.length ? options.servers.map(parseServer) : undefined;
  }

  /** The servers asked, in order; the system's are read per query since they can change. */
  servers(): DnsServerAddress[] {
    if (this.configured) return this.configured;
    const list: DnsServerAddress[] = [];
    for (const s of getServers()) {
      try {
        list.push(parseServer(s));
      } catch {
        // a system entry we cannot use (e.g. a scoped IPv6 address) is skipped, not fatal
      }
    }
    return list;
  }

  async query(name: string, type: RRType): Promise<DnsAnswer> {
    const qname = normalizeName(name);
    const bad = nameProblem(qname);
    if (bad) return { rcode: 'FORMERR', records: [], source: 'live', error: `not queried: ${bad}` };
    const servers = this.servers();
    if (!servers.length) return { rcode: 'NETWORK', records: [], source: 'live', error: 'no DNS servers are configured' };

    // Like resolv.conf's attempts × nameservers: a server that answers with an error rcode is
    // not asked again; one that times out or sends garbage gets another round.
    let active = servers.slice();
    let rcodeFailure: DnsAnswer | undefined;
    let malformed: { error: string; server: string } | undefined;
    let network: { error: string; server: string } | undefined;
    let timeouts = 0;
    for (let round = 0; round < this.tries && active.length; round++) {
      for (const server of active.slice()) {
        let ex: Exchange;
        try {
          ex = await this.exchange(server, qname, type);
        } catch (err) {
          // Sockets can throw synchronously (e.g. no IPv6 on this host); still an answer, never a throw.
          ex = { kind: 'network', error: `${server.label}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
        }
        if (ex.kind === 'reply') {
          const answer = toAnswer(ex.reply, qname, type, server.label, ex.transport);
          if (answer.rcode === 'NOERROR' || answer.rcode === 'NXDOMAIN') return answer;
          rcodeFailure = answer;
          active = active.filter((s) => s !== server);
        } else if (ex.kind === 'timeout') timeouts++;
        else if (ex.kind === 'malformed') malformed = { error: ex.error, server: server.label };
        else network = { error: ex.error, server: server.label };
      }
    }
    if (rcodeFailure) return rcodeFailure;
    if (malformed) return { rcode: 'MALFORMED', records: [], source: 'live', server: malformed.server, error: malformed.error };
    if (network && timeouts === 0) return { rcode: 'NETWORK', records: [], source: 'live', server: network.server, error: network.error };
    const labels = servers.map((s) => s.label).join(', ');
    const tries = this.tries === 1 ? '1 try' : `${this.tries} tries`;
    return {
      rcode: 'TIMEOUT',
      records: [],
      source: 'live',
      ...(servers.length === 1 ? { server: servers[0]!.label } : {}),
      error: `no answer from ${labels} after ${tries} of ${this.timeoutMs} ms${network ? ` (also: ${network.error})` : ''}`,
    };
  }

  /** One question to one server: UDP with EDNS0, again without EDNS0 on FORMERR, TCP on truncation. */
  private async exchange(server: DnsServerAddress, qname: string, type: RRType): Promise<Exchange> {
    let ex = await this.udp(server, qname, type, true);
    // RFC 6891 §7: a server that does not understand EDNS answers FORMERR; ask plainly.
    if (ex.kind === 'reply' && rcodeOf(ex.reply) === 'FORMERR') ex = await this.udp(server, qname, type, false);
    if (ex.kind !== 'reply' || !ex.reply.flag_tc) return ex;
    const tcp = await this.tcp(server, qname, type);
    if (tcp.kind === 'reply') return tcp;
    const why = tcp.kind === 'timeout' ? `no TCP answer within ${this.timeoutMs} ms` : tcp.error;
    return { kind: tcp.kind === 'malformed' ? 'malformed' : 'network', error: `reply from ${server.label} was truncated over UDP and the TCP retry failed: ${why}` };
  }

  private udp(server: DnsServerAddress, qname: string, type: RRType, edns: boolean): Promise<Exchange> {
    const id = randomInt(0, 0x10000);
    const query = packet.encode(question(id, qname, type, edns));
    return new Promise((resolve) => {
      const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
      let mismatch: string | undefined;
      let done = false;
      const finish = (ex: Exchange) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.close();
        resolve(ex);
      };
      const timer = setTimeout(() => {
        // Replies that did not match (RFC 5452 spoofing defence) were ignored; say so rather than "timeout".
        finish(mismatch ? { kind: 'malformed', error: mismatch } : { kind: 'timeout' });
      }, this.timeoutMs);
      socket.on('error', (err: NodeJS.ErrnoException) => {
        finish({ kind: 'network', error: `${server.label}: ${err.code ?? err.message}` });
      });
      socket.on('message', (buf) => {
        let reply: DecodedPacket;
        try {
          reply = packet.decode(buf);
        } catch (err) {
          // The socket is connected, so these bytes came from the server itself: no point waiting.
          finish({ kind: 'malformed', error: `undecodable reply from ${server.label} (${buf.length} bytes): ${(err as Error).message}` });
          return;
        }
        const problem = replyProblem(reply, id, qname, type, server.label);
        if (problem) mismatch = problem;
        else finish({ kind: 'reply', reply, transport: 'udp' });
      });
      const netError = (err: Error) => finish({ kind: 'network', error: `${server.label}: ${(err as NodeJS.ErrnoException).code ?? err.message}` });
      // Connected, so the kernel drops datagrams from any other address (RFC 5452 §9.1).
      socket.connect(server.port, server.host, ((err?: Error) => {
        if (err) return netError(err);
        socket.send(query, (e) => e && netError(e));
      }) as () => void);
    });
  }

  private tcp(server: DnsServerAddress, qname: string, type: RRType): Promise<Exchange> {
    const id = randomInt(0, 0x10000);
    const query = packet.streamEncode(question(id, qname, type, false));
    return new Promise((resolve) => {
      let data = Buffer.alloc(0);
      let done = false;
      const socket = net.connect({ host: server.host, port: server.port });
      const finish = (ex: Exchange) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(ex);
      };
      const timer = setTimeout(() => finish({ kind: 'timeout' }), this.timeoutMs);
      socket.on('connect', () => socket.write(query));
      socket.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'network', error: `TCP ${server.label}: ${err.code ?? err.message}` }));
      socket.on('end', () => finish({ kind: 'malformed', error: `TCP ${server.label} closed the connection before a complete reply` }));
      socket.on('data', (chunk) => {
        data = Buffer.concat([data, chunk]);
        if (data.length < 2 || data.length < 2 + data.readUInt16BE(0)) return;
        let reply: DecodedPacket;
        try {
          reply = packet.decode(data.subarray(2, 2 + data.readUInt16BE(0)));
        } catch (err) {
          finish({ kind: 'malformed', error: `undecodable TCP reply from ${server.label}: ${(err as Error).message}` });
          return;
        }
        const problem = replyProblem(reply, id, qname, type, server.label);
        finish(problem ? { kind: 'malformed', error: problem } : { kind: 'reply', reply, transport: 'tcp' });
      });
    });
  }
}

function question(id: number, name: string, type: RRType, edns: boolean): Packet {
  const p: Packet = { type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] };
  if (edns) p.additionals = [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, flags: 0, options: [] } as unknown as Answer];
  return p;
}

function rcodeOf(reply: DecodedPacket): string {
  return (reply as DecodedPacket & { rcode?: string }).rcode ?? 'NOERROR';
}

/** Why a decoded reply is not the answer to our question, or undefined when it is. */
function replyProblem(reply: DecodedPacket, id: number, qname: string, type: RRType, label: string): string | undefined {
  if (!reply.flag_qr) return `${label} sent a query, not a reply`;
  if (reply.id !== id) return `reply from ${label} has id ${reply.id}, not the query's id ${id}`;
  const q = reply.questions ?? [];
  // Error replies may omit the question section (RFC 1035 leaves it to the server).
  if (q.length === 0 && rcodeOf(reply) !== 'NOERROR') return undefined;
  if (q.length !== 1 || normalizeName(q[0]!.name) !== qname || q[0]!.type !== type) {
    const got = q.map((x) => `${x.name} ${x.type}`).join(', ') || 'no question';
    return `reply from ${label} is for ${got}, not ${qname} ${type}`;
  }
  return undefined;
}

/** Turns a reply into an answer: follows the CNAME chain the recursive server included, keeps the requested type. */
export function toAnswer(reply: DecodedPacket, qname: string, type: RRType, server: string, transport: 'udp' | 'tcp'): DnsAnswer {
  const wire = rcodeOf(reply);
  const base = { records: [] as DnsRecord[], source: 'live' as const, server, transport };
  if (!WIRE_RCODES.includes(wire)) return { ...base, rcode: 'SERVFAIL', error: `${server} answered with rcode ${wire}` };
  const rcode = wire as Rcode;
  const answers = (reply.answers ?? []).filter((a) => a.type !== 'OPT' && (a as { class?: string }).class !== 'CH');
  const cnames: string[] = [];
  let ttl = Infinity;
  let current = qname;
  if (type !== 'CNAME') {
    for (;;) {
      const alias = answers.find((a) => a.type === 'CNAME' && normalizeName(a.name) === current);
      if (!alias) break;
      cnames.push(current);
      ttl = Math.min(ttl, (alias as { ttl?: number }).ttl ?? 0);
      current = normalizeName((alias as { data: string }).data);
      if (cnames.includes(current)) return { ...base, rcode: 'SERVFAIL', cnames, error: `CNAME loop at ${current}` };
      if (cnames.length > MAX_CNAME_HOPS) return { ...base, rcode: 'SERVFAIL', cnames, error: `CNAME chain longer than ${MAX_CNAME_HOPS}` };
    }
  }
  const records: DnsRecord[] = [];
  for (const a of answers) {
    if (a.type !== type || normalizeName(a.name) !== current) continue;
    const rec = toRecord(a);
    if (rec) {
      records.push(rec);
      ttl = Math.min(ttl, (a as { ttl?: number }).ttl ?? 0);
    }
  }
  if (records.length === 0) {
    // RFC 2308 §5: a negative answer lives for min(SOA TTL, SOA MINIMUM).
    const soa = (reply.authorities ?? []).find((a) => a.type === 'SOA') as { ttl?: number; data: { minimum?: number } } | undefined;
    ttl = soa ? Math.min(ttl, soa.ttl ?? 0, soa.data.minimum ?? 0) : Infinity;
  }
  const answer: DnsAnswer = { ...base, rcode, records };
  if (cnames.length) answer.cnames = cnames;
  if (Number.isFinite(ttl)) answer.ttl = ttl;
  if (rcode !== 'NOERROR') answer.error = `${server} answered ${rcode}`;
  return answer;
}

function toRecord(a: Answer): DnsRecord | undefined {
  switch (a.type) {
    case 'TXT': {
      // dns-packet gives Buffers; UTF-8 is what Node's resolver (and so mailauth by default) yields.
      const parts = Array.isArray(a.data) ? a.data : [a.data];
      return { type: 'TXT', data: parts.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))) };
    }
    case 'MX':
      return { type: 'MX', data: { preference: a.data.preference ?? 0, exchange: a.data.exchange } };
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { type: a.type, data: (a as { data: string }).data };
    default:
      return undefined;
  }
}
