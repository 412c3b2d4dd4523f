// The job loop of an engine worker (engine-worker.ts is the entry that starts it): jobs are
// evaluated one at a time, in the order they arrive, and answered in that order. The pool relies
// on that order: the oldest unanswered job is the one running, so a crash is blamed on it alone
// and the jobs queued behind it are sent to another worker.

import type { MessagePort } from 'node:worker_threads';
import type { Engine, PartEngine } from './engine.ts';
import type { JobRequest, JobResponse, SerializedError } from './worker-pool.ts';

export function serveJobs(port: MessagePort, engine: Pick<Engine, 'evaluate'> & Partial<Pick<PartEngine, 'evaluateMboxMessage'>>): void {
  const waiting: JobRequest[] = [];
  let running = false;
  async function drain(): Promise<void> {
    running = true;
    for (let job = waiting.shift(); job; job = waiting.shift()) {
      let reply: JobResponse;
      try {
        if (job.part) {
          if (!engine.evaluateMboxMessage) throw new Error('this worker cannot evaluate one message of an mbox');
          const outcome = await engine.evaluateMboxMessage({ bytes: job.bytes, ...job.part }, job.opts, job.dns);
          reply = { id: job.id, ok: true, outcome };
        } else {
          reply = { id: job.id, ok: true, result: await engine.evaluate(job.bytes, job.opts, job.dns) };
        }
      } catch (err) {
        reply = { id: job.id, ok: false, error: serializeError(err) };
      }
      port.postMessage(reply);
    }
    running = false;
  }
  port.on('message', (job: JobRequest) => {
    waiting.push(job);
    if (!running) void drain();
  });
  port.postMessage({ ready: true });
}

/** Errors cross threads as plain data: keep the message, name and the fields callers branch on (code, line…). */
function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), props: {} };
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) props[k] = v;
  }
  return { name: err.name, message: err.message, stack: err.stack, props };
}
