// mailauth expects a resolver shaped like dns.promises.resolve: answers as arrays, failures as
// errors carrying Node's DNS error codes. This adapter is the only place that translation lives.

import type { DnsAnswer, RRType } from '../../../shared/dns.ts';
import type { Resolver } from './resolver.ts';

export type MailauthResolver = (name: string, rrtype: string) => Promise<unknown[]>;

const CODE_BY_RCODE: Record<string, string> = {
  NXDOMAIN: 'ENOTFOUND',
  SERVFAIL: 'ESERVFAIL',
  REFUSED: 'EREFUSED',
  FORMERR: 'EFORMERR',
  NOTIMP: 'ENOTIMP',
  TIMEOUT: 'ETIMEOUT',
  BUDGET: 'ETIMEOUT', // out of budget is a temporary failure for the protocols (RFC 7208 §4.6.4 spirit)
  MALFORMED: 'EBADRESP',
  NETWORK: 'ECONNREFUSED',
};

export class DnsLookupError extends Error {
  code: string;
  answer: DnsAnswer;
  constructor(name: string, type: string, answer: DnsAnswer) {
    const code = answer.rcode === 'NOERROR' ? 'ENODATA' : (CODE_BY_RCODE[answer.rcode] ?? 'ESERVFAIL');
    // NXDOMAIN is the everyday answer (SPF void lookups, DMARC tree walks): skip the stack trace
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${type} ${name}: ${answer.error ?? answer.rcode}`);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.answer = answer;
  }
}

export function toMailauthResolver(resolver: Resolver): MailauthResolver {
  return async (name: string, rrtype: string) => {
    const type = rrtype.toUpperCase() as RRType;
    const answer = await resolver.query(name, type);
    if (answer.rcode !== 'NOERROR' || answer.records.length === 0) {
      throw new DnsLookupError(name, type, answer);
    }
    return answer.records.map((r) => {
      switch (r.type) {
        case 'TXT':
          return r.data;
        case 'MX':
          return { exchange: r.data.exchange, priority: r.data.preference };
        default:
          return r.data;
      }
    });
  };
}
