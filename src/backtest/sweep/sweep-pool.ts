import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RowEvaluator, type RowResult, type SweepContext } from './sweep-evaluate.ts';
import type { SweepRow } from './sweep-plan.ts';

export type WorkerRequest =
  | { readonly kind: 'context'; readonly context: SweepContext }
  | { readonly kind: 'rows'; readonly rows: readonly SweepRow[] };

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

/**
 * The worker thread's module loaded through tsx (the project runs its TypeScript without a build),
 * from an inline bootstrap: a worker does not inherit the loader hooks of its parent.
 */
function startWorker(): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./sweep-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return new Worker(bootstrap, { eval: true });
}

/** Worker threads started ahead of the sweep's context, so that they boot while the models train. */
export interface WorkerPool {
  /** Gives every worker the context (bars, artifacts) once; the runner then hands out rows. */
  withContext(context: SweepContext): RowRunner;
  close(): Promise<void>;
}

/**
 * Starts `size` worker threads. Loading the engine's modules in a thread takes about as long as
 * a sweep's training; started first, the two overlap. Each worker gets the context once, then
 * batches of rows as it asks for work; rows keep their tape grouping, so each worker builds a
 * tape about once.
 */
export function startWorkerPool(size: number, batchSize = 4): WorkerPool {
  const workers = Array.from({ length: Math.max(1, size) }, () => startWorker());
  const close = async (): Promise<void> => {
    await Promise.all(workers.map((worker) => worker.terminate()));
  };
  return {
    withContext(context) {
      for (const worker of workers) worker.postMessage({ kind: 'context', context } satisfies WorkerRequest);
      return { run: (rows, onResult) => runRows(workers, rows, onResult, batchSize), close };
    },
    close,
  };
}

function runRows(
  workers: readonly Worker[],
  rows: readonly SweepRow[],
  onResult: (result: RowResult) => void,
  batchSize: number,
): Promise<void> {
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
      worker.postMessage({ kind: 'rows', rows: batch } satisfies WorkerRequest);
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
}
