// One message, one answer per question: a receiver evaluating a message asks each name once and
// reuses the answer across SPF, DKIM, DMARC and the strict/lenient comparison. Keeps the query
// log to distinct questions and the budget to real lookups.

import type { DnsAnswer, RRType } from '../../../shared/dns.ts';
import { normalizeName, type Resolver } from './resolver.ts';

// A class, not an object literal: V8 allocates a getter in an object literal (as it does a
// function literal assigned to a property) in the old generation, and that closure kept each
// message's DNS layers and query log alive through every young-generation GC (see
// dkim/fast-verifier.ts, releaseSpent). A class's getter is made once.
class MemoResolver implements Resolver {
  private readonly answers = new Map<string, Promise<DnsAnswer>>();
  private readonly inner: Resolver;

  constructor(inner: Resolver) {
    this.inner = inner;
  }

  // steps point at query-log entries: pass the recorder's log through (see dmarc/dns-watch.ts)
  get log(): unknown {
    return (this.inner as { log?: unknown }).log;
  }

  query(name: string, type: RRType): Promise<DnsAnswer> {
    const key = `${normalizeName(name)} ${type}`;
    let answer = this.answers.get(key);
    if (!answer) this.answers.set(key, (answer = this.inner.query(name, type)));
    return answer;
  }
}

export function memoize(resolver: Resolver): Resolver & { readonly log: unknown } {
  return new MemoResolver(resolver);
}
