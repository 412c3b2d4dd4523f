// The what-if layer: records in the user's zones replace the live ones *for the names and types
// they define*. A zone holding only a TXT at a name says nothing about its A records, so those
// still come from the base (live) resolver. Offline (no base), the zones are the whole world.

import type { DnsAnswer, RRType } from '../../../shared/dns.ts';
import { normalizeName, type Resolver } from './resolver.ts';
import type { MemoryResolver } from './memory-resolver.ts';

const MAX_CNAME_HOPS = 8;

export class OverlayResolver implements Resolver {
  readonly zone: MemoryResolver;
  readonly base: Resolver | null;

  constructor(zone: MemoryResolver, base: Resolver | null) {
    this.zone = zone;
    this.base = base;
  }

  async query(name: string, type: RRType): Promise<DnsAnswer> {
    const cnames: string[] = [];
    let current = normalizeName(name);
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      const byType = this.zone.names.get(current);
      const own = byType?.get(type) ?? byType?.get('*');
      if (own) {
        // Defined here (records or a configured failure): the zone answers, CNAMEs it followed included.
        const a = this.zone.lookup(current, type);
        return withCnames({ ...a, source: 'zone' }, cnames);
      }
      const alias = byType?.get('CNAME');
      if (type !== 'CNAME' && Array.isArray(alias) && alias[0]?.type === 'CNAME') {
        cnames.push(current);
        current = normalizeName(alias[0].data);
        if (cnames.includes(current)) return { rcode: 'SERVFAIL', records: [], source: 'zone', cnames, error: `CNAME loop in the zone at ${current}` };
        continue;
      }
      if (!this.base) {
        // A name the zone knows with other types is NODATA, as a real authoritative server would say.
        const known = byType !== undefined;
        return withCnames(
          {
            rcode: known ? 'NOERROR' : 'NXDOMAIN',
            records: [],
            source: 'offline',
            error: known ? `offline: the zone has no ${type} at ${current}` : `offline: ${current} is not in the zone`,
          },
          cnames,
        );
      }
      const a = await this.base.query(current, type);
      // A chain that started in the zone is the zone's doing, even where the base supplied the end of it.
      return cnames.length ? withCnames({ ...a, source: 'zone' }, cnames) : a;
    }
    return { rcode: 'SERVFAIL', records: [], source: 'zone', cnames, error: `CNAME chain longer than ${MAX_CNAME_HOPS} in the zone` };
  }
}

function withCnames(a: DnsAnswer, before: string[]): DnsAnswer {
  const all = [...before, ...(a.cnames ?? [])];
  const out: DnsAnswer = { ...a };
  if (all.length) out.cnames = all;
  else delete out.cnames;
  return out;
}
