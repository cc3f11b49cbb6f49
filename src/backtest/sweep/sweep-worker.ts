import { parentPort, workerData } from 'node:worker_threads';
import { RowEvaluator, type SweepContext } from './sweep-evaluate.ts';
import type { WorkerReply, WorkerRequest } from './sweep-pool.ts';
import type { SweepRow } from './sweep-plan.ts';

/**
 * A sweep worker thread: gets the sweep's context once (workerData), then batches of rows, and
 * answers each batch with its results.
 */
const port = parentPort;
if (port === null) throw new Error('sweep-worker.ts runs as a worker thread');
const evaluator = new RowEvaluator(workerData as SweepContext);
port.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { kind: 'results', results: request.rows.map((row: SweepRow) => evaluator.evaluate(row)) };
  } catch (error) {
    reply = { kind: 'failed', message: (error as Error).stack ?? String(error) };
  }
  port.postMessage(reply);
});
