// The one resolver interface every DNS layer implements, so layers compose:
// live → cache → overlay(zone) → recorder (see dns/stack.ts).

import type { DnsAnswer, RRType } from '../../../shared/dns.ts';

export interface Resolver {
  /** Never throws for DNS outcomes: NXDOMAIN, SERVFAIL, timeouts… are answers with an rcode. */
  query(name: string, type: RRType): Promise<DnsAnswer>;
}

/** Lower-case, no trailing dot: the form names are compared and logged in. */
export function normalizeName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}
