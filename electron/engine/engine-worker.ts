// Worker-thread entry of the engine pool (worker-pool.ts): one engine per thread, serving jobs in
// order (worker-jobs.ts). Runs as .ts under Node 24's type stripping, so it imports the engine
// like any module.

import { parentPort } from 'node:worker_threads';
import { createEngine } from './engine.ts';
import { serveJobs } from './worker-jobs.ts';

if (!parentPort) throw new Error('engine-worker.ts runs inside a worker thread (see worker-pool.ts)');
// The pool turns its clock into opts.at per job, so the default clock is never consulted there.
serveJobs(parentPort, createEngine());
