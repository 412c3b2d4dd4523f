// A resolver over records held in memory: the what-if overlay's store, and the zone of the tests.
// Loads the `{ "name": { "TXT": [["str", …]], "MX": […] } }` shape used by mailauth's DNS
// fixtures and the shared samples, where an absent name is NXDOMAIN.

import { cloneRecord, type DnsAnswer, type DnsRecord, type DnsSource, type Rcode, type RRType } from '../../../shared/dns.ts';
import { normalizeName, type Resolver } from './resolver.ts';

/** A name may stand for a DNS failure instead of records. */
export type MemoryEntry = DnsRecord[] | { fail: Rcode };

export class MemoryResolver implements Resolver {
  readonly names = new Map<string, Map<RRType | '*', MemoryEntry>>();
  readonly source: DnsSource;

  constructor(source: DnsSource = 'zone') {
    this.source = source;
  }

  add(name: string, record: DnsRecord): void {
    const byType = this.entryMap(name);
    const list = byType.get(record.type);
    if (Array.isArray(list)) list.push(record);
    else byType.set(record.type, [record]);
  }

  /** Make every query for `name` (any type, or one type) fail with `rcode`. */
  fail(name: string, rcode: Rcode, type: RRType | '*' = '*'): void {
    this.entryMap(name).set(type, { fail: rcode });
  }

  has(name: string): boolean {
    return this.names.has(normalizeName(name));
  }

  private entryMap(name: string) {
    const key = normalizeName(name);
    let m = this.names.get(key);
    if (!m) this.names.set(key, (m = new Map()));
    return m;
  }

  async query(name: string, type: RRType): Promise<DnsAnswer> {
    return this.lookup(name, type);
  }

  /** Synchronous lookup following CNAMEs held here (at most 8 hops, as resolvers bound chains). */
  lookup(name: string, type: RRType): DnsAnswer {
    const cnames: string[] = [];
    let current = normalizeName(name);
    for (let hop = 0; hop < 9; hop++) {
      const byType = this.names.get(current);
      if (!byType) return { rcode: 'NXDOMAIN', records: [], source: this.source, ...(cnames.length ? { cnames } : {}) };
      const failure = byType.get(type) ?? byType.get('*');
      if (failure && !Array.isArray(failure)) {
        return { rcode: failure.fail, records: [], source: this.source, error: `${failure.fail} (configured)` };
      }
      const direct = byType.get(type);
      if (Array.isArray(direct) && direct.length) {
        return { rcode: 'NOERROR', records: direct.map(cloneRecord), source: this.source, ...(cnames.length ? { cnames } : {}) };
      }
      const alias = byType.get('CNAME');
      if (type !== 'CNAME' && Array.isArray(alias) && alias[0]?.type === 'CNAME') {
        cnames.push(current);
        current = normalizeName(alias[0].data);
        continue;
      }
      return { rcode: 'NOERROR', records: [], source: this.source, ...(cnames.length ? { cnames } : {}) };
    }
    return { rcode: 'SERVFAIL', records: [], source: this.source, cnames, error: 'CNAME chain longer than 8' };
  }

  /** Load the JSON cache shape of mailauth's fixtures and the shared samples. */
  static fromJson(data: Record<string, Record<string, unknown[]>>, source: DnsSource = 'zone'): MemoryResolver {
    const r = new MemoryResolver(source);
    for (const [name, types] of Object.entries(data)) {
      for (const [type, values] of Object.entries(types)) {
        for (const v of values) {
          const t = type.toUpperCase();
          if (t === 'TXT') r.add(name, { type: 'TXT', data: Array.isArray(v) ? v.map(String) : [String(v)] });
          else if (t === 'MX') {
            const mx = v as { exchange: string; priority?: number; preference?: number };
            r.add(name, { type: 'MX', data: { exchange: mx.exchange, preference: mx.priority ?? mx.preference ?? 0 } });
          } else if (t === 'A' || t === 'AAAA' || t === 'PTR' || t === 'CNAME' || t === 'NS') {
            r.add(name, { type: t, data: String(v) });
          }
        }
      }
    }
    return r;
  }
}
