// One message, one answer per question: a receiver evaluating a message asks each name once and
// reuses the answer across SPF, DKIM, DMARC and the strict/lenient comparison. Keeps the query
// log to distinct questions and the budget to real lookups.

import type { DnsAnswer } from '../../../shared/dns.ts';
import { normalizeName, type Resolver } from './resolver.ts';

export function memoize(resolver: Resolver): Resolver & { readonly log: unknown } {
  const answers = new Map<string, Promise<DnsAnswer>>();
  return {
    // steps point at query-log entries: pass the recorder's log through (see dmarc/dns-watch.ts)
    get log() {
      return (resolver as { log?: unknown }).log;
    },
    query(name, type) {
      const key = `${normalizeName(name)} ${type}`;
      let answer = answers.get(key);
      if (!answer) answers.set(key, (answer = resolver.query(name, type)));
      return answer;
    },
  };
}
