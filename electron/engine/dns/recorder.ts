// Keeps the query log of one message: what was asked, what came back and from where. The log is
// shown with the verdict and can be saved to replay the verdict exactly (replay-resolver.ts).

import { cloneRecord, recordToText, type DnsAnswer, type DnsLogEntry, type RRType } from '../../../shared/dns.ts';
import { normalizeName, type Resolver } from './resolver.ts';
import { monotonicMs } from '../monotonic-clock.ts';

export class RecordingResolver implements Resolver {
  readonly inner: Resolver;
  log: DnsLogEntry[] = [];
  private seq = 0;

  constructor(inner: Resolver) {
    this.inner = inner;
  }

  async query(name: string, type: RRType): Promise<DnsAnswer> {
    const seq = ++this.seq; // numbered in the order asked; concurrent queries may finish out of order
    const t0 = monotonicMs();
    const answer = await this.inner.query(name, type);
    const ms = Math.round((monotonicMs() - t0) * 10) / 10;
    const entry: DnsLogEntry = {
      seq,
      name: normalizeName(name),
      type,
      rcode: answer.rcode,
      records: answer.records.map(cloneRecord), // the log must not change if a consumer edits its answer
      answers: answer.records.map(recordToText),
      source: answer.source,
      ms,
    };
    if (answer.server !== undefined) entry.server = answer.server;
    if (answer.transport !== undefined) entry.transport = answer.transport;
    if (answer.cnames?.length) entry.cnames = answer.cnames.slice();
    if (answer.error !== undefined) entry.error = answer.error;
    let at = this.log.length;
    while (at > 0 && this.log[at - 1]!.seq > seq) at--;
    this.log.splice(at, 0, entry);
    return answer;
  }

  /** The entries so far, emptying the log; numbering continues so entries stay unique. */
  drain(): DnsLogEntry[] {
    const out = this.log;
    this.log = [];
    return out;
  }
}
