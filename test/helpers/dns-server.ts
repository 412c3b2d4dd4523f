// A real DNS server on 127.0.0.1 (UDP and TCP, one random port) for the live resolver's tests.
// It answers like a recursive server: CNAME chains come back in the answer section. Names can be
// told to misbehave, so every failure the resolver reports is one it has really seen on the wire.

import dgram from 'node:dgram';
import net from 'node:net';
import packet from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import type { DnsRecord, RRType } from '../../shared/dns.ts';
import { MemoryResolver } from '../../electron/engine/dns/memory-resolver.ts';
import { normalizeName } from '../../electron/engine/dns/resolver.ts';

export type Behaviour = 'drop' | 'servfail' | 'refused' | 'truncate' | 'garbage' | 'wrong-id' | 'formerr-edns';

export interface DnsServerOptions {
  /** The records served; a plain object is read with MemoryResolver.fromJson. */
  zone?: MemoryResolver | Record<string, Record<string, unknown[]>>;
  /** Misbehaviour per query name. */
  behaviours?: Record<string, Behaviour>;
  /** TTL put on every record (default 300). */
  ttl?: number;
}

export interface ServedQuery {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
  edns: boolean;
  /** Recursion desired: a stub resolver must set it. */
  rd: boolean;
}

export interface RunningDnsServer {
  host: string;
  port: number;
  /** "127.0.0.1:PORT", as a LiveResolver server setting. */
  server: string;
  queries: ServedQuery[];
  count(transport?: 'udp' | 'tcp', name?: string): number;
  close(): Promise<void>;
}

const GARBAGE = Buffer.from('not dns!'); // shorter than a DNS header: undecodable by construction
const NEGATIVE_SOA = { mname: 'ns.test', rname: 'hostmaster.test', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 };

export async function startDnsServer(options: DnsServerOptions = {}): Promise<RunningDnsServer> {
  const zone = options.zone instanceof MemoryResolver ? options.zone : MemoryResolver.fromJson(options.zone ?? {});
  const behaviours = new Map(Object.entries(options.behaviours ?? {}).map(([n, b]) => [normalizeName(n), b]));
  const ttl = options.ttl ?? 300;
  const queries: ServedQuery[] = [];

  /** The reply to send, or null to stay silent. */
  const respond = (buf: Buffer, transport: 'udp' | 'tcp'): Buffer | null => {
    let q: DecodedPacket;
    try {
      q = packet.decode(buf);
    } catch {
      return null;
    }
    const question = q.questions?.[0];
    if (!question) return null;
    const name = normalizeName(question.name);
    const opt = (q.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    queries.push({ name, type: question.type, transport, edns: !!opt, rd: q.flag_rd });
    const reply: Packet = {
      type: 'response',
      id: q.id,
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
      questions: [question],
      answers: [],
      authorities: [],
    };
    const behaviour = behaviours.get(name);
    if (behaviour === 'drop') return null;
    if (behaviour === 'garbage') return GARBAGE;
    if (behaviour === 'servfail') return packet.encode({ ...reply, flags: reply.flags! | 2 });
    if (behaviour === 'refused') return packet.encode({ ...reply, flags: reply.flags! | 5 });
    if (behaviour === 'formerr-edns' && opt) return packet.encode({ ...reply, flags: reply.flags! | 1 });
    if (behaviour === 'truncate' && transport === 'udp') {
      return packet.encode({ ...reply, flags: reply.flags! | packet.TRUNCATED_RESPONSE });
    }
    const { rcode, answers } = resolve(zone, name, question.type as RRType, ttl);
    reply.flags! |= rcode;
    reply.answers = answers;
    if (answers.length === 0) reply.authorities = [{ type: 'SOA', name: 'test', ttl, data: NEGATIVE_SOA }];
    let out = packet.encode(reply);
    if (behaviour === 'wrong-id') out.writeUInt16BE((q.id! + 1) & 0xffff, 0);
    // RFC 1035 §4.2.1 / RFC 6891: a UDP reply larger than the client's buffer is truncated.
    const limit = opt?.udpPayloadSize ? Math.max(512, opt.udpPayloadSize) : 512;
    if (transport === 'udp' && out.length > limit) {
      out = packet.encode({ ...reply, answers: [], authorities: [], flags: reply.flags! | packet.TRUNCATED_RESPONSE });
    }
    return out;
  };

  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const out = respond(msg, 'udp');
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let data = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      while (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        const len = data.readUInt16BE(0);
        const out = respond(data.subarray(2, 2 + len), 'tcp');
        data = data.subarray(2 + len);
        if (out) {
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(out.length);
          socket.write(Buffer.concat([prefix, out]));
        }
      }
    });
  });

  const port = await bindBoth(udp, tcp);
  return {
    host: '127.0.0.1',
    port,
    server: `127.0.0.1:${port}`,
    queries,
    count: (transport, name) =>
      queries.filter((q) => (!transport || q.transport === transport) && (!name || q.name === normalizeName(name))).length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}

export { startDnsServer as start };

/** The UDP socket takes a random port; the TCP server must get the same one (retry if taken). */
async function bindBoth(udp: dgram.Socket, tcp: net.Server): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    const port = udp.address().port;
    const ok = await new Promise<boolean>((r) => {
      tcp.once('error', () => r(false));
      tcp.listen(port, '127.0.0.1', () => r(true));
    });
    if (ok) return port;
    if (attempt > 20) throw new Error('could not bind UDP and TCP to one port');
    await new Promise<void>((r) => udp.close(() => r()));
    udp = dgram.createSocket('udp4');
  }
}

/** Answers like a recursive server: the CNAME chain, then the target's records of the type. */
function resolve(zone: MemoryResolver, qname: string, type: RRType, ttl: number): { rcode: number; answers: Answer[] } {
  const answers: Answer[] = [];
  let current = qname;
  for (let hop = 0; hop < 10; hop++) {
    const byType = zone.names.get(current);
    if (!byType) return { rcode: 3, answers };
    const direct = byType.get(type);
    if (Array.isArray(direct) && direct.length) {
      for (const r of direct) answers.push(toWire(current, r, ttl));
      return { rcode: 0, answers };
    }
    const alias = byType.get('CNAME');
    if (type !== 'CNAME' && Array.isArray(alias) && alias[0]?.type === 'CNAME') {
      answers.push(toWire(current, alias[0], ttl));
      current = normalizeName(alias[0].data);
      continue;
    }
    return { rcode: 0, answers };
  }
  return { rcode: 2, answers: [] };
}

function toWire(name: string, r: DnsRecord, ttl: number): Answer {
  switch (r.type) {
    case 'TXT':
      return { type: 'TXT', name, ttl, data: r.data.map((s) => Buffer.from(s, 'utf8')) };
    case 'MX':
      return { type: 'MX', name, ttl, data: { preference: r.data.preference, exchange: r.data.exchange } };
    default:
      return { type: r.type, name, ttl, data: r.data };
  }
}
