import { parentPort } from 'node:worker_threads';
import { RowEvaluator } from './sweep-evaluate.ts';
import type { WorkerReply, WorkerRequest } from './sweep-pool.ts';
import type { SweepRow } from './sweep-plan.ts';

/**
 * A sweep worker thread: gets the sweep's context once and says it is ready, then gets batches of
 * rows and answers each with its results.
 */
const port = parentPort;
if (port === null) throw new Error('sweep-worker.ts runs as a worker thread');
let evaluator: RowEvaluator | undefined;
port.on('message', (request: WorkerRequest) => {
  if (request.kind === 'context') {
    evaluator = new RowEvaluator(request.context);
    port.postMessage({ kind: 'ready' } satisfies WorkerReply);
    return;
  }
  let reply: WorkerReply;
  try {
    if (evaluator === undefined) throw new Error('rows came before the sweep context');
    const rows = evaluator;
    reply = {
      kind: 'results',
      batch: request.batch,
      results: request.rows.map((row: SweepRow) => rows.evaluate(row)),
    };
  } catch (error) {
    reply = { kind: 'failed', message: (error as Error).stack ?? String(error) };
  }
  port.postMessage(reply);
});
