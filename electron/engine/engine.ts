// The engine: one message (or an mbox) in, one step-by-step report per message out.
// Every dependency on the outside world is injected (live DNS, clock), so the CLI, the web host,
// the Electron main process and the tests all run the same code.

import type { DnsSettings } from '../../shared/dns.ts';
import type { EvaluateOptions, MessageSlice } from '../../shared/evaluate-options.ts';
import type { EvaluationResult as HostEvaluationResult } from '../../shared/ipc/contract.ts';
import { INPUT_ERROR_CODES, type MessageOutcome, type MessageSource, type VerifyMode } from '../../shared/report.ts';
import type { Resolver } from './dns/resolver.ts';
import { CacheResolver } from './dns/cache-resolver.ts';
import { LiveResolver } from './dns/live-resolver.ts';
import { readInput, readMboxMessage, readOptionsOf, readParts, splitInput, type InputItem } from './input/message-input.ts';
import { evaluateMessage } from './evaluate-message.ts';
import { monotonicMs } from './monotonic-clock.ts';

/** What evaluate() gives: the host's EvaluationResult but for the reference, which the host adds (services.ts). */
export type EvaluationResult = Omit<HostEvaluationResult, 'inputRef'>;

export interface EngineDeps {
  /** The clock used when no `at` is given. */
  clock?: () => Date;
  /** Live DNS. Default: a stub resolver over the servers in DnsSettings (or the system's). */
  live?: (settings: DnsSettings) => Resolver;
}

export interface Engine {
  evaluate(bytes: Uint8Array, opts?: EvaluateOptions, dns?: DnsSettings, slice?: MessageSlice): Promise<EvaluationResult>;
}

/** One message of an mbox, split off by splitInput (input/message-input.ts), for evaluateMboxMessage. */
export interface MboxPart {
  bytes: Uint8Array;
  index: number;
  /** The whole input's notes (a removed byte-order mark), which every message of it carries. */
  notes: string[];
  /** Where the message lies in the input (MboxMessage's offset and length), for its summary. */
  source?: MessageSource;
}

/** The engine as the worker pool uses it: also one message of an mbox at a time, as evaluate() reads it. */
export interface PartEngine extends Engine {
  /** Message `part.index` of an mbox, exactly as evaluate() on the whole mbox reports it. */
  evaluateMboxMessage(part: MboxPart, opts?: EvaluateOptions, dns?: DnsSettings): Promise<MessageOutcome>;
  /**
   * evaluate(), handing each outcome over as soon as it is made instead of all at the end, so a
   * large mbox's reports are never all held at once (the CLI prints and drops them). The same
   * outcomes in the same order, at one evaluation time. One difference: a reject of the whole input
   * (a zone or envelope problem) met at message k comes after the outcomes of the messages before it.
   */
  evaluateEach(bytes: Uint8Array, opts: EvaluateOptions, dns: DnsSettings, onMessage: (m: MessageOutcome) => void): Promise<EvaluationResult['container']>;
}

export function createEngine(deps: EngineDeps = {}): PartEngine {
  const clock = deps.clock ?? (() => new Date());
  // One cache per live-server configuration, shared across evaluations: a batch of messages
  // from the same sender asks the same questions.
  const caches = new Map<string, CacheResolver>();
  const liveFor = (settings: DnsSettings): CacheResolver => {
    const key = JSON.stringify([settings.servers ?? [], settings.timeoutMs, settings.tries]);
    let cache = caches.get(key);
    if (!cache) {
      const live = deps.live
        ? deps.live(settings)
        : new LiveResolver({ servers: settings.servers, timeoutMs: settings.timeoutMs, tries: settings.tries });
      cache = new CacheResolver(live);
      caches.set(key, cache);
    }
    return cache;
  };

  async function evaluateItems(items: InputItem[], opts: EvaluateOptions, dns: DnsSettings): Promise<MessageOutcome[]> {
    const mode: VerifyMode = opts.mode ?? 'strict';
    const now = opts.at ? parseTime(opts.at) : clock();
    const cache = dns.offline || dns.replay ? undefined : liveFor(dns);
    const messages: MessageOutcome[] = [];
    const takeTurn = turnTaker();
    for (const item of items) {
      await takeTurn();
      if (!item.ok) {
        messages.push({ ok: false, index: item.index, error: item.error });
        continue;
      }
      try {
        const report = await evaluateMessage(item, { options: opts, dns, cache, now, mode });
        messages.push({ ok: true, ...report });
      } catch (err) {
        const e = err as { code?: string; message?: string };
        if (e && typeof e.code === 'string' && isInputCode(e.code)) {
          // an envelope or zone problem applies to every message alike: reject the whole input
          throw err;
        }
        messages.push({
          ok: false,
          index: item.index,
          error: { code: 'internal', message: `evaluation failed: ${e?.message ?? String(err)}` },
        });
      }
    }
    return messages;
  }

  return {
    async evaluate(bytes, opts = {}, dns = {}, slice) {
      if (slice) return evaluateSlice(bytes, opts, dns, slice);
      const split = readInput(bytes, readOptionsOf(opts));
      return { container: split.container, messages: await evaluateItems(split.items, opts, dns) };
    },
    async evaluateMboxMessage(part, opts = {}, dns = {}) {
      return evaluatePart(part, opts, dns);
    },
    async evaluateEach(bytes, opts, dns, onMessage) {
      return (await eachMessage(bytes, opts, dns, onMessage)).container;
    },
  };

  async function evaluateSlice(bytes: Uint8Array, opts: EvaluateOptions, dns: DnsSettings, slice: MessageSlice): Promise<EvaluationResult> {
    const messages: MessageOutcome[] = [];
    const { container, total } = await eachMessage(bytes, opts, dns, (m) => messages.push(m), slice);
    return { container, messages, slice: { start: slice.start, total } };
  }

  /**
   * The input's messages (or a slice's: only those are read and evaluated, the split itself being
   * one scan of the input), handed over one by one as evaluate() on the whole reports them: at one
   * evaluation time, with a turn of the event loop every YIELD_AFTER_MS. Says how many there are.
   */
  async function eachMessage(
    bytes: Uint8Array,
    opts: EvaluateOptions,
    dns: DnsSettings,
    onMessage: (m: MessageOutcome) => void,
    slice?: MessageSlice,
  ): Promise<{ container: EvaluationResult['container']; total: number }> {
    const read = readOptionsOf(opts);
    const parts = splitInput(bytes, read);
    if (parts.container === 'message') {
      if (!slice || slice.start === 0) for (const m of await evaluateItems(readParts(parts, read).items, opts, dns)) onMessage(m);
      return { container: 'message', total: 1 };
    }
    // one time for every message, as evaluate() reads the clock once
    const partOpts = { ...opts, at: opts.at ?? clock().toISOString() };
    const takeTurn = turnTaker();
    for (const m of slice ? parts.messages.slice(slice.start, slice.start + slice.count) : parts.messages) {
      await takeTurn();
      onMessage(await evaluatePart({ bytes: m.bytes, index: m.index, notes: parts.notes, source: m }, partOpts, dns));
    }
    return { container: 'mbox', total: parts.messages.length };
  }

  async function evaluatePart(part: MboxPart, opts: EvaluateOptions, dns: DnsSettings): Promise<MessageOutcome> {
    const item = readMboxMessage(part.bytes, part.index, part.notes, readOptionsOf(opts), part.source);
    return (await evaluateItems([item], opts, dns))[0];
  }
}

// An evaluation of many messages hands the event loop a turn every YIELD_AFTER_MS, so that the web
// host and Electron's main process, which evaluate on their own thread, keep answering meanwhile:
// answers from a zone or the cache come back as resolved promises, which never give the loop a turn.
const YIELD_AFTER_MS = 50;
function turnTaker(): () => Promise<void> | undefined {
  let last = monotonicMs();
  return () => {
    if (monotonicMs() - last < YIELD_AFTER_MS) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        last = monotonicMs();
        resolve();
      }),
    );
  };
}

const INPUT_CODES = new Set<string>(INPUT_ERROR_CODES);
function isInputCode(code: string): boolean {
  return INPUT_CODES.has(code);
}

function parseTime(at: string): Date {
  const t = /^\d+$/.test(at) ? new Date(Number(at) * 1000) : new Date(at);
  if (Number.isNaN(t.getTime())) {
    throw Object.assign(new Error(`--at: "${at}" is not an ISO 8601 time or a Unix timestamp`), { code: 'bad-envelope' });
  }
  return t;
}
