// A cache in front of the live resolver, shared across evaluations: a batch of messages from one
// sender asks the same questions. Answers live for their TTL; NXDOMAIN/NODATA only briefly, so a
// record the user just published shows up on the next run. Failures are never cached.

import type { DnsAnswer, RRType } from '../../../shared/dns.ts';
import { normalizeName, type Resolver } from './resolver.ts';

export interface CacheOptions {
  /** Upper bound for positive answers, seconds (default 300: a testing tool should not hold stale records long). */
  maxTtl?: number;
  /** Upper bound for NXDOMAIN/NODATA, seconds (default 30). */
  negativeTtl?: number;
  /** TTL for answers that carry none (default 60 s). */
  defaultTtl?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

interface Entry {
  answer: DnsAnswer;
  expires: number;
}

export class CacheResolver implements Resolver {
  readonly inner: Resolver;
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<DnsAnswer>>();
  private readonly maxTtl: number;
  private readonly negativeTtl: number;
  private readonly defaultTtl: number;
  private readonly now: () => number;

  constructor(inner: Resolver, options: CacheOptions = {}) {
    this.inner = inner;
    this.maxTtl = options.maxTtl ?? 300;
    this.negativeTtl = options.negativeTtl ?? 30;
    this.defaultTtl = options.defaultTtl ?? 60;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  async query(name: string, type: RRType): Promise<DnsAnswer> {
    const key = `${normalizeName(name)} ${type}`;
    const hit = this.entries.get(key);
    const now = this.now();
    if (hit && hit.expires > now) return fromCache(hit.answer, Math.ceil((hit.expires - now) / 1000));
    if (hit) this.entries.delete(key);

    // Concurrent identical questions (mailauth asks A and AAAA, DKIM and DMARC in parallel) share one query.
    const pending = this.inflight.get(key);
    if (pending) return fromCache(await pending);
    const p = this.inner.query(name, type);
    this.inflight.set(key, p);
    try {
      const answer = await p;
      const ttl = this.lifetime(answer);
      if (ttl > 0) this.entries.set(key, { answer: structuredClone(answer), expires: this.now() + ttl * 1000 });
      return answer;
    } finally {
      this.inflight.delete(key);
    }
  }

  /** Seconds to keep an answer; 0 for failures, which must be asked again. */
  private lifetime(a: DnsAnswer): number {
    const ttl = a.ttl ?? this.defaultTtl;
    if (a.rcode === 'NXDOMAIN' || (a.rcode === 'NOERROR' && a.records.length === 0)) return Math.min(ttl, this.negativeTtl);
    if (a.rcode === 'NOERROR') return Math.min(ttl, this.maxTtl);
    return 0;
  }
}

function fromCache(answer: DnsAnswer, ttl?: number): DnsAnswer {
  const copy: DnsAnswer = { ...structuredClone(answer), source: 'cache' };
  if (ttl !== undefined) copy.ttl = ttl;
  return copy;
}
