// Worker-thread entry of the engine pool (worker-pool.ts): one engine per thread, one job at a
// time. Runs as .ts under Node 24's type stripping, so it imports the engine like any module.

import { parentPort } from 'node:worker_threads';
import { createEngine } from './engine.ts';
import type { JobRequest, JobResponse, SerializedError } from './worker-pool.ts';

if (!parentPort) throw new Error('engine-worker.ts runs inside a worker thread (see worker-pool.ts)');
const port = parentPort;
// The pool turns its clock into opts.at per job, so the default clock is never consulted there.
const engine = createEngine();

port.on('message', async (job: JobRequest) => {
  let reply: JobResponse;
  try {
    reply = { id: job.id, ok: true, result: await engine.evaluate(job.bytes, job.opts, job.dns) };
  } catch (err) {
    reply = { id: job.id, ok: false, error: serializeError(err) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });

/** Errors cross threads as plain data: keep the message, name and the fields callers branch on (code, line…). */
function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), props: {} };
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) props[k] = v;
  }
  return { name: err.name, message: err.message, stack: err.stack, props };
}
