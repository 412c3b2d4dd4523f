// A resolver layer that remembers which queries a check made, in order, and answers a repeated
// query from memory. DMARC wraps the message's resolver with it to know which _dmarc lookups
// belonged to its Tree Walk, and to re-run a walk for the explanation without new DNS traffic.

import type { DnsAnswer, RRType } from '../../../shared/dns.ts';
import { normalizeName, type Resolver } from '../dns/resolver.ts';

export interface WatchedQuery {
  name: string;
  type: RRType;
  /** Set once the answer arrived. */
  answer?: DnsAnswer;
}

export class WatchingResolver implements Resolver {
  readonly queries: WatchedQuery[] = [];
  private readonly inner: Resolver;
  private readonly memo = new Map<string, Promise<DnsAnswer>>();

  constructor(inner: Resolver) {
    this.inner = inner;
  }

  query(name: string, type: RRType): Promise<DnsAnswer> {
    const n = normalizeName(name);
    const key = `${type} ${n}`;
    let pending = this.memo.get(key);
    if (!pending) {
      const entry: WatchedQuery = { name: n, type };
      this.queries.push(entry);
      pending = this.inner.query(name, type).then((answer) => {
        entry.answer = answer;
        return answer;
      });
      this.memo.set(key, pending);
    }
    return pending;
  }

  /** The answer already received for a query, if it was made. */
  answerFor(name: string, type: RRType): DnsAnswer | undefined {
    const n = normalizeName(name);
    return this.queries.find((q) => q.name === n && q.type === type)?.answer;
  }
}

/**
 * Finds the query-log number (`seq`) of a lookup when the resolver keeps a log (the recorder of
 * dns/recorder.ts, duck-typed so any layer with a `log` works); undefined otherwise.
 */
export function logSeqFinder(resolver: Resolver): (name: string, type: RRType) => number | undefined {
  const log = (resolver as { log?: unknown }).log;
  return (name, type) => {
    const current = (resolver as { log?: unknown }).log ?? log;
    if (!Array.isArray(current)) return undefined;
    const n = normalizeName(name);
    for (let i = current.length - 1; i >= 0; i--) {
      const e = current[i] as { seq?: number; name?: string; type?: string };
      if (e.name === n && e.type === type && typeof e.seq === 'number') return e.seq;
    }
    return undefined;
  };
}
