// A per-message limit on DNS work, so a hostile or broken message (deep include chains, many
// signatures, slow servers) cannot stall an evaluation. Past the limit every query fails at once
// with BUDGET, which the protocols see as a temporary error — RFC 7208 §4.6.4 suggests 20 s
// for SPF as a whole; the same bound serves the message's other checks.

import type { DnsAnswer, RRType } from '../../../shared/dns.ts';
import type { Resolver } from './resolver.ts';
import { monotonicMs } from '../monotonic-clock.ts';

export interface BudgetOptions {
  /** Queries allowed (default 100). */
  maxQueries?: number;
  /** Milliseconds from the first query (default 20 000). */
  deadlineMs?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

export class BudgetResolver implements Resolver {
  readonly inner: Resolver;
  readonly maxQueries: number;
  readonly deadlineMs: number;
  private readonly now: () => number;
  private asked = 0;
  private startedAt: number | undefined;

  constructor(inner: Resolver, options: BudgetOptions = {}) {
    this.inner = inner;
    this.maxQueries = options.maxQueries ?? 100;
    this.deadlineMs = options.deadlineMs ?? 20_000;
    this.now = options.now ?? monotonicMs;
  }

  get queries(): number {
    return this.asked;
  }

  async query(name: string, type: RRType): Promise<DnsAnswer> {
    this.startedAt ??= this.now();
    if (this.asked >= this.maxQueries) {
      return over(`the budget of ${this.maxQueries} DNS queries for this message is used up`);
    }
    const left = this.startedAt + this.deadlineMs - this.now();
    if (left <= 0) return over(this.deadlineText());
    this.asked++;
    // A slow query must not carry the message past its deadline: race it against the time left.
    // One timer for the whole message, not one per query (a message asks dozens of questions).
    return Promise.race([this.inner.query(name, type), this.deadline(left)]);
  }

  /** Ends the message's deadline timer; queries after this are not cut off by it. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.deadlinePromise = undefined;
  }

  private timer: ReturnType<typeof setTimeout> | undefined;
  private deadlinePromise: Promise<DnsAnswer> | undefined;

  private deadline(left: number): Promise<DnsAnswer> {
    if (!this.deadlinePromise) {
      this.deadlinePromise = new Promise<DnsAnswer>((resolve) => {
        this.timer = setTimeout(() => resolve(over(this.deadlineText())), left);
        // the timer must not keep a CLI process alive after its last message
        this.timer.unref?.();
      });
    }
    return this.deadlinePromise;
  }

  private deadlineText(): string {
    return `the ${formatMs(this.deadlineMs)} DNS deadline for this message has passed`;
  }
}

function over(error: string): DnsAnswer {
  return { rcode: 'BUDGET', records: [], source: 'budget', error };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
