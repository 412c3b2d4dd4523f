// A pool of engine workers for batch evaluation on every core: each worker thread runs its own
// createEngine(), so a batch is limited by CPUs, not by one event loop. A worker that crashes
// (uncaught error, exit, out of memory) fails only the job it was running, with a clear error,
// and is replaced.
// Small inputs are pipelined and chunked: a worker holds the next chunk of jobs while it
// evaluates one, so it never waits a round trip through the main thread, and up to 16 small
// messages go in one post and come back in one (posts, not evaluations, were what kept a 2-worker
// pool near the speed of one thread). Those inputs are copied, not moved, so jobs caught in a
// crash still have their bytes and are sent again. Large inputs move (no copy) and go one at a
// time. An mbox is split here and its messages spread over the workers, a window ahead of the
// one being handed over, answered exactly as the engine answers the whole mbox.

import { availableParallelism } from 'node:os';
import { Worker, isMarkedAsUntransferable, type ResourceLimits } from 'node:worker_threads';
import type { DnsSettings } from '../../shared/dns.ts';
import type { EvaluateOptions } from '../../shared/evaluate-options.ts';
import type { MessageOutcome, MessageSource } from '../../shared/report.ts';
import type { EvaluationResult, PartEngine } from './engine.ts';
import { readOptionsOf, splitInput, type InputParts } from './input/message-input.ts';
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

export interface EnginePool extends Pick<PartEngine, 'evaluate' | 'evaluateEach'> {
  evaluate(bytes: Uint8Array, opts?: EvaluateOptions, dns?: DnsSettings): Promise<EvaluationResult>;
  /** Starts every worker and resolves when each has loaded its engine (otherwise they start on demand). */
  ready(): Promise<void>;
  /** Ends every worker now; jobs not finished reject with code 'pool-closed'. */
  close(): Promise<void>;
  readonly size: number;
}

/** Wire format between the pool and engine-worker.ts: jobs go in chunks, answered in order, in one post. */
export interface ChunkRequest {
  jobs: JobRequest[];
}
export interface ChunkResponse {
  replies: JobResponse[];
}
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

type JobValue = EvaluationResult | MessageOutcome;

interface Job {
  id: number;
  request: JobRequest;
  transfer: ArrayBuffer[];
  /** Small enough to wait in a worker behind another job (its bytes are copied, so it can be resent). */
  pipelined: boolean;
  /** Caught in a chunk that crashed: it goes alone now, so a second crash is blamed on it only. */
  solo?: boolean;
  /** The mbox run that submitted it, so the rest of that run can be withdrawn. */
  owner?: object;
  resolve(result: JobValue): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  /** Chunks posted to this worker, in order: the first is the one it is evaluating. */
  chunks: Job[][];
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
/** Chunks a worker holds at once when they are small: the one it evaluates and the next. */
const PIPELINE_DEPTH = 2;
/**
 * At most this many jobs, and bytes, in one post. 8-16 messages of 10 KB per post measured best
 * (1,000 messages on 2 workers: 1.21-1.27x raw mailauth's rate with one job per post, 1.47-1.76x
 * with 8-16);
 * the bytes cap keeps one post's copy small.
 */
const CHUNK_MAX_JOBS = 16;
const CHUNK_MAX_BYTES = 256 * 1024;
/**
 * Messages of an mbox submitted ahead of the one being handed over, per worker: twice what a
 * worker holds. Submitting a whole mbox at once made each job's promise old (promoted) long before
 * it was resolved, and an old promise keeps its outcome through every young-generation GC until a
 * full one (see dkim/fast-verifier.ts, releaseSpent): every report was promoted.
 */
export const MBOX_AHEAD_PER_WORKER = 2 * PIPELINE_DEPTH * CHUNK_MAX_JOBS;

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
    const slot: Slot = { worker, chunks: [], ready: new Promise<void>((r) => (onReady = r)), started: false, exiting: false };
    slot.ready.catch(() => {});
    worker.on('message', (msg: ChunkResponse | { ready: true }) => {
      if ('ready' in msg) {
        slot.started = true;
        startFailures = 0;
        if (!slot.chunks.length) worker.unref();
        return onReady();
      }
      // the worker answers the chunks in the order it was given them
      const chunk = slot.chunks[0];
      if (!chunk || chunk.length !== msg.replies.length || chunk.some((j, i) => j.id !== msg.replies[i].id)) return;
      slot.chunks.shift();
      for (const [i, reply] of msg.replies.entries()) {
        if (reply.ok) chunk[i].resolve('outcome' in reply ? reply.outcome : reply.result);
        else chunk[i].reject(deserializeError(reply.error));
      }
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
      // the first chunk is the one that was running; those behind it were not started and still
      // have their bytes (pipelined jobs are copies): they go back to the front of the queue. A
      // running chunk of several jobs goes back too, each job alone, so that only the one that
      // crashes again is blamed; a job that was running alone is the one that crashed.
      const [running = [], ...waiting] = slot.chunks.splice(0);
      const job = running.length === 1 ? running[0] : undefined;
      if (running.length > 1) for (const j of running) j.solo = true;
      queue.unshift(...(running.length > 1 ? running : []), ...waiting.flat());
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

  /** A worker that can take `job` now: an idle one first, then a new one, then one busy with small jobs. */
  function slotFor(job: Job): Slot | undefined {
    const live = slots.filter((s) => !s.exiting);
    const idle = live.find((s) => !s.chunks.length);
    if (idle) return idle;
    if (slots.length < size) return spawn();
    if (!job.pipelined) return undefined;
    return live.find((s) => s.chunks.length < PIPELINE_DEPTH && s.chunks.every((c) => c.every((j) => j.pipelined)));
  }

  /**
   * The next jobs to post together: small ones, at most an even share of what waits, so the last
   * chunks do not leave a worker idle while another still has a full chunk to go.
   */
  function takeChunk(): Job[] {
    const chunk = [queue.shift()!];
    if (!chunk[0].pipelined || chunk[0].solo) return chunk;
    const share = Math.min(CHUNK_MAX_JOBS, Math.ceil((queue.length + 1) / (size * PIPELINE_DEPTH)));
    let bytes = chunk[0].request.bytes.byteLength;
    while (chunk.length < share && queue.length && queue[0].pipelined && !queue[0].solo && bytes + queue[0].request.bytes.byteLength <= CHUNK_MAX_BYTES) {
      bytes += queue[0].request.bytes.byteLength;
      chunk.push(queue.shift()!);
    }
    return chunk;
  }

  function pump(): void {
    while (queue.length && !closed && !broken) {
      const slot = slotFor(queue[0]);
      if (!slot) break;
      const chunk = takeChunk();
      slot.chunks.push(chunk);
      slot.worker.ref();
      try {
        // a pipelined job is copied as it is posted (a view's own bytes only: structured clone
        // would copy its whole ArrayBuffer, e.g. all of an mbox), so only jobs in flight hold copies
        const jobs = chunk.map((j) => (j.pipelined ? { ...j.request, bytes: new Uint8Array(j.request.bytes) } : j.request));
        slot.worker.postMessage({ jobs } satisfies ChunkRequest, chunk.flatMap((j) => j.transfer));
      } catch (err) {
        slot.chunks.pop();
        for (const j of chunk) j.reject(err as Error);
      }
    }
    for (const s of slots) if (!s.chunks.length && s.started) s.worker.unref();
  }

  // Jobs submitted in one go (an mbox's messages, a caller's Promise.all) are posted a microtask
  // later, together, so they can share chunks.
  let pumpScheduled = false;
  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    queueMicrotask(() => {
      pumpScheduled = false;
      pump();
    });
  }

  function submit<T extends JobValue>(bytes: Uint8Array, opts: EvaluateOptions, dns: DnsSettings, part?: JobRequest['part'], owner?: object): Promise<T> {
    // an mbox submits as it goes (eachOfMbox): a job that comes after close() or a failed start
    // would otherwise wait in a queue that nothing takes from
    const unusable = usable();
    if (unusable) return Promise.reject(unusable);
    const pipelined = bytes.byteLength <= PIPELINE_MAX_BYTES;
    // a pipelined job keeps the caller's view and posts a copy (so it can be posted again after a
    // crash); a large one moves or is copied once, now
    const { view, list } = pipelined ? { view: bytes, list: [] } : prepareBytes(bytes, transfer);
    return new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const request: JobRequest = part ? { id, bytes: view, opts, dns, part } : { id, bytes: view, opts, dns };
      queue.push({ id, request, transfer: list, pipelined, owner, resolve: resolve as Job['resolve'], reject });
      schedulePump();
    });
  }

  /** The job options: the clock is a function, which cannot cross threads, so it is read now. */
  function jobOptions(opts: EvaluateOptions): EvaluateOptions {
    return opts.at === undefined && options.clock ? { ...opts, at: options.clock().toISOString() } : opts;
  }

  /**
   * What both entry points start with: the pool is still usable, the job options, and the input
   * split. An mbox is spread over the workers a message at a time (splitting costs next to nothing;
   * the rejects of the whole input are the engine's own, thrown here as the engine throws them).
   */
  function prepare(bytes: Uint8Array, opts: EvaluateOptions): { jobOpts: EvaluateOptions; parts: InputParts } {
    const unusable = usable();
    if (unusable) throw unusable;
    return { jobOpts: jobOptions(opts), parts: splitInput(bytes, readOptionsOf(opts)) };
  }

  function usable(): Error | undefined {
    if (closed) return Object.assign(new Error('the engine pool is closed'), { code: 'pool-closed' });
    return broken;
  }

  /**
   * An mbox, message by message on every worker, answered as the engine answers it: the same
   * outcomes, at one evaluation time, each handed over in mbox order as soon as it and those
   * before it are done. A reject of the whole input (a zone or envelope problem) met at message k
   * comes after the k-1 before it, as from the engine. A crashed worker fails its message only.
   */
  async function eachOfMbox(messages: MboxMessage[], notes: string[], opts: EvaluateOptions, dns: DnsSettings, onMessage: (m: MessageOutcome) => void): Promise<void> {
    const partOpts = { ...opts, at: opts.at ?? new Date().toISOString() };
    const run = {};
    const ahead = size * MBOX_AHEAD_PER_WORKER;
    const pending: (Promise<MessageOutcome> | undefined)[] = [];
    const submitUpTo = (end: number) => {
      for (let j = pending.length; j < Math.min(end, messages.length); j++) {
        const m = messages[j];
        const p = submit<MessageOutcome>(m.bytes, partOpts, dns, { index: m.index, notes, source: { offset: m.offset, length: m.length } }, run);
        p.catch(() => {}); // each is awaited below, in order
        pending.push(p);
      }
    };
    try {
      for (let i = 0; i < messages.length; i++) {
        submitUpTo(i + ahead);
        // let go of each outcome as it is handed over: a settled promise holds its outcome, and
        // the list held every report of the mbox until the last (8,000 messages: +160 MB)
        const p = pending[i]!;
        pending[i] = undefined;
        let outcome: MessageOutcome;
        try {
          outcome = await p;
        } catch (err) {
          const e = err as Error & { code?: string };
          if (e.code !== 'worker-crashed' && e.code !== 'worker-out-of-memory') throw e;
          outcome = { ok: false, index: messages[i].index, error: { code: 'internal', message: e.message } };
        }
        onMessage(outcome);
      }
    } catch (err) {
      // the whole input was rejected, or the caller stopped taking messages: the rest of this mbox
      // is not evaluated (what a worker already holds finishes; the pool lives on for others)
      withdraw(run, err as Error);
      throw err;
    }
  }

  /** Takes the queued jobs of one mbox run off the queue, rejected with `why`. */
  function withdraw(owner: object, why: Error): void {
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i].owner === owner) queue.splice(i, 1)[0].reject(why);
  }

  return {
    size,
    async evaluate(bytes, opts = {}, dns = {}) {
      const { jobOpts, parts } = prepare(bytes, opts);
      if (parts.container === 'mbox' && parts.messages.length > 1 && size > 1) {
        const messages: MessageOutcome[] = [];
        await eachOfMbox(parts.messages, parts.notes, jobOpts, dns, (m) => messages.push(m));
        return { container: 'mbox', messages };
      }
      return submit<EvaluationResult>(bytes, jobOpts, dns);
    },
    /** A single message goes whole to one worker; an mbox's messages are handed over in order as they are done. */
    async evaluateEach(bytes, opts, dns, onMessage) {
      const { jobOpts, parts } = prepare(bytes, opts);
      if (parts.container === 'mbox') await eachOfMbox(parts.messages, parts.notes, jobOpts, dns, onMessage);
      else (await submit<EvaluationResult>(bytes, jobOpts, dns)).messages.forEach((m) => onMessage(m));
      return parts.container;
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
          for (const j of s.chunks.splice(0).flat()) j.reject(err());
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
