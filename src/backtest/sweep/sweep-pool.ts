import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../runtime/ts-worker.ts';
import { RowEvaluator, type RowResult, type SweepContext } from './sweep-evaluate.ts';
import type { SweepRow } from './sweep-plan.ts';

export interface WorkerRequest {
  readonly rows: readonly SweepRow[];
}

export type WorkerReply =
  | { readonly kind: 'results'; readonly results: readonly RowResult[] }
  | { readonly kind: 'failed'; readonly message: string };

/** Runs a sweep's rows, reporting each result as it comes. */
export interface RowRunner {
  run(rows: readonly SweepRow[], onResult: (result: RowResult) => void): Promise<void>;
  close(): Promise<void>;
}

/** The default number of workers: one per available core. */
export const defaultWorkers = (): number => availableParallelism();

/** Rows evaluated one after the other in this thread. */
export function inThreadRunner(context: SweepContext): RowRunner {
  const evaluator = new RowEvaluator(context);
  return {
    run(rows, onResult) {
      for (const row of rows) onResult(evaluator.evaluate(row));
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

const startWorker = (context: SweepContext): Worker =>
  startTsWorker(new URL('./sweep-worker.ts', import.meta.url), context);

/**
 * Rows spread over `size` worker threads. Each worker gets the context (bars, artifacts) once,
 * then batches of rows as it asks for work; rows keep their tape grouping, so each worker builds
 * a tape about once.
 */
export function workerPool(context: SweepContext, size: number, batchSize = 4): RowRunner {
  const workers = Array.from({ length: Math.max(1, size) }, () => startWorker(context));
  return {
    run(rows, onResult) {
      return new Promise<void>((resolve, reject) => {
        let next = 0;
        let busy = 0;
        let failed = false;
        const fail = (error: Error): void => {
          if (failed) return;
          failed = true;
          reject(error);
        };
        const feed = (worker: Worker): void => {
          if (failed) return;
          if (next >= rows.length) {
            if (busy === 0) resolve();
            return;
          }
          const batch = rows.slice(next, next + batchSize);
          next += batch.length;
          busy++;
          worker.postMessage({ rows: batch } satisfies WorkerRequest);
        };
        for (const worker of workers) {
          worker.removeAllListeners();
          worker.on('message', (reply: WorkerReply) => {
            busy--;
            if (reply.kind === 'failed') return fail(new Error(`a sweep worker failed: ${reply.message}`));
            for (const result of reply.results) onResult(result);
            feed(worker);
          });
          worker.on('error', fail);
          worker.on('exit', (code) => {
            if (next < rows.length || busy > 0) fail(new Error(`a sweep worker exited (code ${code})`));
          });
        }
        if (rows.length === 0) resolve();
        else for (const worker of workers) feed(worker);
      });
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
