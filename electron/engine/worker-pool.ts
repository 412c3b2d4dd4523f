// A pool of engine workers for batch evaluation on every core: each worker thread runs its own
// createEngine(), so a batch is limited by CPUs, not by one event loop. A worker that crashes
// (uncaught error, exit, out of memory) fails only the job it was running, with a clear error,
// and is replaced.
// Small inputs are pipelined: a worker holds the next job while it evaluates one, so it never
// waits a round trip through the main thread between two 1 ms messages (with one job per worker
// a 2-worker pool ran at 0.6 of two independent engines). Those inputs are copied, not moved, so a
// job queued behind a crash still has its bytes and goes to another worker. Large inputs move
// (no copy) and go one at a time. An mbox is split here and its messages spread over the workers,
// answered exactly as the engine answers the whole mbox.

import { availableParallelism } from 'node:os';
import { Worker, isMarkedAsUntransferable, type ResourceLimits } from 'node:worker_threads';
import type { DnsSettings } from '../../shared/dns.ts';
import type { EvaluateOptions } from '../../shared/evaluate-options.ts';
import type { MessageOutcome, MessageSource } from '../../shared/report.ts';
import type { Engine, EvaluationResult } from './engine.ts';
import { splitInput, type InputParts } from './input/message-input.ts';
import type { MboxMessage } from './input/mbox.ts';

export interface EnginePoolOptions {
  /** Worker threads; default os.availableParallelism(). */
  size?: number;
  /** The clock used when a job gives no `at`; read when the job is submitted. Default: each worker's clock. */
  clock?: () => Date;
  /**
   * true (default): an input over PIPELINE_MAX_BYTES moves to the worker, its ArrayBuffer detached
   * in the caller (no copy; pass a copy to keep it); smaller ones are copied when they are posted
   * (leave them unchanged until the evaluation settles). false: the worker always gets a copy and
   * the caller keeps its bytes.
   */
  transfer?: boolean;
  /** Per-worker V8 heap limits, so one huge message cannot take the whole process down. */
  resourceLimits?: ResourceLimits;
  /** The worker script (tests substitute a wrapper); default engine-worker.ts beside this file. */
  entry?: URL;
}

export interface EnginePool extends Engine {
  evaluate(bytes: Uint8Array, opts?: EvaluateOptions, dns?: DnsSettings): Promise<EvaluationResult>;
  /** Starts every worker and resolves when each has loaded its engine (otherwise they start on demand). */
  ready(): Promise<void>;
  /** Ends every worker now; jobs not finished reject with code 'pool-closed'. */
  close(): Promise<void>;
  readonly size: number;
}

/** Wire format between the pool and engine-worker.ts. */
export interface JobRequest {
  id: number;
  bytes: Uint8Array;
  opts: EvaluateOptions;
  dns: DnsSettings;
  /** Set when `bytes` is one message of an mbox: the worker answers with its MessageOutcome. */
  part?: { index: number; notes: string[]; source?: MessageSource };
}
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  props: Record<string, unknown>;
}
export type JobResponse =
  | { id: number; ok: true; result: EvaluationResult }
  | { id: number; ok: true; outcome: MessageOutcome }
  | { id: number; ok: false; error: SerializedError };

interface Job {
  id: number;
  request: JobRequest;
  transfer: ArrayBuffer[];
  /** Small enough to wait in a worker behind another job (its bytes are copied, so it can be resent). */
  pipelined: boolean;
  resolve(result: EvaluationResult | MessageOutcome): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  /** Posted to this worker, in order: the first is the one it is evaluating. */
  jobs: Job[];
  ready: Promise<void>;
  /** Loaded its engine; a worker that dies before that cannot start at all (bad entry, broken install). */
  started: boolean;
  exiting: boolean;
}

// The worker script: engine-worker.ts beside this module when running from the sources; a bundle
// (scripts/build-cli.mjs) defines this as the name of the worker bundle it writes beside itself.
declare const __AUTHLAB_ENGINE_WORKER__: string | undefined;

// A worker that cannot even start (bad entry, broken install) would otherwise be respawned forever.
const MAX_START_FAILURES = 3;
/** Inputs up to this size are copied and pipelined; a copy costs far less than a thread round trip. */
export const PIPELINE_MAX_BYTES = 1024 * 1024;
/** Jobs a worker holds at once when they are small: the one it evaluates and the next. */
const PIPELINE_DEPTH = 2;

export function createEnginePool(options: EnginePoolOptions = {}): EnginePool {
  const size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
  const entry = options.entry ?? new URL(typeof __AUTHLAB_ENGINE_WORKER__ === 'string' ? `./${__AUTHLAB_ENGINE_WORKER__}` : './engine-worker.ts', import.meta.url);
  const transfer = options.transfer ?? true;
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;
  let startFailures = 0;
  let broken: Error | undefined;

  function spawn(): Slot {
    const worker = new Worker(entry, { resourceLimits: options.resourceLimits });
    let onReady!: () => void;
    const slot: Slot = { worker, jobs: [], ready: new Promise<void>((r) => (onReady = r)), started: false, exiting: false };
    slot.ready.catch(() => {});
    worker.on('message', (msg: JobResponse | { ready: true }) => {
      if ('ready' in msg) {
        slot.started = true;
        startFailures = 0;
        if (!slot.jobs.length) worker.unref();
        return onReady();
      }
      // the worker answers in the order it was given the jobs
      const job = slot.jobs[0];
      if (!job || job.id !== msg.id) return;
      slot.jobs.shift();
      if (msg.ok) job.resolve('outcome' in msg ? msg.outcome : msg.result);
      else job.reject(deserializeError(msg.error));
      pump();
    });
    // 'error' (uncaught exception, out of memory) is always followed by 'exit'; keep the cause for it
    let cause: Error | undefined;
    worker.on('error', (err) => (cause = err));
    worker.on('exit', (code) => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      onReady();
      if (slot.exiting || closed) return;
      if (!slot.started) startFailures++;
      const why = cause ? `${cause.name}: ${cause.message}` : `exit code ${code}`;
      // the first job is the one that was running; those behind it were not started and still
      // have their bytes (pipelined jobs are copies): they go back to the front of the queue
      const [job, ...waiting] = slot.jobs.splice(0);
      queue.unshift(...waiting);
      if (job) {
        const oom = (cause as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
        job.reject(
          Object.assign(new Error(`the engine worker evaluating this input crashed (${why}); other jobs are unaffected`), {
            code: oom ? 'worker-out-of-memory' : 'worker-crashed',
            cause,
          }),
        );
      }
      if (startFailures >= MAX_START_FAILURES) {
        broken = Object.assign(new Error(`engine workers fail to start (${why})`), { code: 'pool-broken', cause });
        for (const j of queue.splice(0)) j.reject(broken);
        return;
      }
      pump();
    });
    // a starting or busy worker keeps the process alive (someone awaits it); an idle one does not
    slots.push(slot);
    return slot;
  }

  /** A worker that can take `job` now: an idle one first, then a new one, then one busy with a small job. */
  function slotFor(job: Job): Slot | undefined {
    const live = slots.filter((s) => !s.exiting);
    const idle = live.find((s) => !s.jobs.length);
    if (idle) return idle;
    if (slots.length < size) return spawn();
    if (!job.pipelined) return undefined;
    return live.find((s) => s.jobs.length < PIPELINE_DEPTH && s.jobs.every((j) => j.pipelined));
  }

  function pump(): void {
    while (queue.length && !closed && !broken) {
      const slot = slotFor(queue[0]);
      if (!slot) break;
      const job = queue.shift()!;
      slot.jobs.push(job);
      slot.worker.ref();
      try {
        // a pipelined job is copied as it is posted (a view's own bytes only: structured clone
        // would copy its whole ArrayBuffer, e.g. all of an mbox), so only jobs in flight hold copies
        const request = job.pipelined ? { ...job.request, bytes: new Uint8Array(job.request.bytes) } : job.request;
        slot.worker.postMessage(request, job.transfer);
      } catch (err) {
        slot.jobs.pop();
        job.reject(err as Error);
      }
    }
    for (const s of slots) if (!s.jobs.length && s.started) s.worker.unref();
  }

  function submit<T extends EvaluationResult | MessageOutcome>(bytes: Uint8Array, opts: EvaluateOptions, dns: DnsSettings, part?: JobRequest['part']): Promise<T> {
    const pipelined = bytes.byteLength <= PIPELINE_MAX_BYTES;
    // a pipelined job keeps the caller's view and posts a copy (so it can be posted again after a
    // crash); a large one moves or is copied once, now
    const { view, list } = pipelined ? { view: bytes, list: [] } : prepareBytes(bytes, transfer);
    return new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const request: JobRequest = part ? { id, bytes: view, opts, dns, part } : { id, bytes: view, opts, dns };
      queue.push({ id, request, transfer: list, pipelined, resolve: resolve as Job['resolve'], reject });
      pump();
    });
  }

  /**
   * An mbox, message by message on every worker, answered as the engine answers the whole mbox:
   * the same outcomes in mbox order, at one evaluation time, and a reject of the whole input (a
   * zone or envelope problem) if any message meets one. A crashed worker fails its message only.
   */
  async function evaluateMbox(messages: MboxMessage[], notes: string[], opts: EvaluateOptions, dns: DnsSettings): Promise<EvaluationResult> {
    const at = opts.at ?? new Date().toISOString();
    const settled = await Promise.allSettled(messages.map((m) => submit<MessageOutcome>(m.bytes, { ...opts, at }, dns, { index: m.index, notes, source: { offset: m.offset, length: m.length } })));
    const outcomes: MessageOutcome[] = [];
    for (const [i, s] of settled.entries()) {
      if (s.status === 'fulfilled') {
        outcomes.push(s.value);
        continue;
      }
      const err = s.reason as Error & { code?: string };
      if (err.code === 'worker-crashed' || err.code === 'worker-out-of-memory') {
        outcomes.push({ ok: false, index: messages[i].index, error: { code: 'internal', message: err.message } });
      } else throw err;
    }
    return { container: 'mbox', messages: outcomes };
  }

  return {
    size,
    evaluate(bytes, opts = {}, dns = {}) {
      if (closed) return Promise.reject(Object.assign(new Error('the engine pool is closed'), { code: 'pool-closed' }));
      if (broken) return Promise.reject(broken);
      // the clock is a function, which cannot cross threads: read it now and send the time
      const jobOpts = opts.at === undefined && options.clock ? { ...opts, at: options.clock().toISOString() } : opts;
      // an mbox is spread over the workers a message at a time (splitting costs next to nothing;
      // the rejects of the whole input are the engine's own, thrown here as the engine throws them)
      let parts: InputParts;
      try {
        parts = splitInput(bytes, { maxBytes: opts.maxBytes, headersOnly: opts.headersOnly });
      } catch (err) {
        return Promise.reject(err);
      }
      if (parts.container === 'mbox' && parts.messages.length > 1 && size > 1) return evaluateMbox(parts.messages, parts.notes, jobOpts, dns);
      return submit<EvaluationResult>(bytes, jobOpts, dns);
    },
    async ready() {
      while (!closed && slots.length < size) spawn();
      await Promise.all(slots.map((s) => s.ready));
    },
    async close() {
      if (closed) return;
      closed = true;
      const err = () => Object.assign(new Error('the engine pool was closed before this job finished'), { code: 'pool-closed' });
      for (const j of queue.splice(0)) j.reject(err());
      await Promise.all(
        slots.slice().map((s) => {
          s.exiting = true;
          for (const j of s.jobs.splice(0)) j.reject(err());
          return s.worker.terminate();
        }),
      );
    },
  };
}

/**
 * What to post: a view that covers its whole ArrayBuffer moves as is; a view into a larger buffer
 * (a slice of a file, Node's shared 8 KB pool) is copied first, as structured clone would copy the
 * whole underlying buffer. A SharedArrayBuffer is shared, never copied.
 */
function prepareBytes(bytes: Uint8Array, transfer: boolean): { view: Uint8Array; list: ArrayBuffer[] } {
  const buf = bytes.buffer;
  if (typeof SharedArrayBuffer !== 'undefined' && buf instanceof SharedArrayBuffer) return { view: bytes, list: [] };
  const whole = bytes.byteOffset === 0 && bytes.byteLength === buf.byteLength;
  if (transfer && whole && !isMarkedAsUntransferable(buf)) {
    return { view: new Uint8Array(buf as ArrayBuffer, 0, bytes.byteLength), list: [buf as ArrayBuffer] };
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return { view: copy, list: [copy.buffer] };
}

function deserializeError(e: SerializedError): Error {
  const err = Object.assign(new Error(e.message), e.props);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
