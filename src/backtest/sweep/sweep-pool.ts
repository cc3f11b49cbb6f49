import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../runtime/ts-worker.ts';
import { RowEvaluator, type RowResult, type SweepContext } from './sweep-evaluate.ts';
import type { SweepRow } from './sweep-plan.ts';

export type WorkerRequest =
  | { readonly kind: 'context'; readonly context: SweepContext }
  | { readonly kind: 'rows'; readonly batch: number; readonly rows: readonly SweepRow[] };

export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'results'; readonly batch: number; readonly results: readonly RowResult[] }
  | { readonly kind: 'failed'; readonly message: string };

/** Runs a sweep's rows, reporting each result as it comes. */
export interface RowRunner {
  run(rows: readonly SweepRow[], onResult: (result: RowResult) => void): Promise<void>;
  close(): Promise<void>;
}

/** The default number of worker threads: one per core beside the calling thread's, which trades rows too. */
export const defaultWorkers = (): number => Math.max(0, availableParallelism() - 1);

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

/** The worker thread's module, loaded through tsx. */
const startWorker = (): Worker => startTsWorker(new URL('./sweep-worker.ts', import.meta.url), undefined);

/** Worker threads started ahead of the sweep's context, so that they boot while the models train. */
export interface WorkerPool {
  /**
   * Gives every worker the context (bars, artifacts) once; the runner then hands out rows to this
   * thread, which trades a batch at a time between the workers' messages, and to each worker once
   * it is ready.
   */
  withContext(context: SweepContext): RowRunner;
  close(): Promise<void>;
}

/** What a run of rows does with the workers' messages. */
interface RunHandler {
  ready(worker: Worker): void;
  results(worker: Worker, batch: number, results: readonly RowResult[]): void;
  fail(error: Error): void;
}

/**
 * Starts `size` worker threads. Loading the engine's modules in a thread takes about as long as
 * a sweep's training; started first, the two overlap. This thread trades rows from the start, and
 * a worker gets rows only once it says it is ready, so a sweep shorter than a worker's start
 * never waits for one. Each worker gets the context once, then batches of rows as it asks for
 * work; rows keep their tape grouping, so each worker builds a tape about once.
 */
export function startWorkerPool(
  size: number,
  { batchSize = 4, tradeHere = true }: { readonly batchSize?: number; readonly tradeHere?: boolean } = {},
): WorkerPool {
  const workers = Array.from({ length: Math.max(1, size) }, () => startWorker());
  const ready = new Set<Worker>();
  let run: RunHandler | undefined;
  /** Batch numbers, unique over the pool's runs: an answer to an earlier run's batch is not this run's. */
  let batches = 0;
  for (const worker of workers) {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'ready') {
        ready.add(worker);
        run?.ready(worker);
      } else if (reply.kind === 'failed') run?.fail(new Error(`a sweep worker failed: ${reply.message}`));
      else run?.results(worker, reply.batch, reply.results);
    });
    worker.on('error', (error: Error) => run?.fail(error));
    worker.on('exit', (code) => run?.fail(new Error(`a sweep worker exited (code ${code})`)));
  }
  const close = async (): Promise<void> => {
    run = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
  };
  return {
    withContext(context) {
      for (const worker of workers) worker.postMessage({ kind: 'context', context } satisfies WorkerRequest);
      const here = tradeHere ? new RowEvaluator(context) : undefined;
      return {
        run: async (rows, onResult) => {
          const done = runRows({
            ready: [...ready],
            here,
            rows,
            onResult,
            batchSize,
            nextBatch: () => ++batches,
            attach: (handler) => (run = handler),
          });
          try {
            await done;
          } finally {
            run = undefined;
          }
        },
        close,
      };
    },
    close,
  };
}

/**
 * Hands out `rows` in batches: to this thread, a batch per turn of the event loop, and to each
 * ready worker (those that become ready during the run included), two batches ahead, so the next
 * is there when one is answered even while this thread is busy with its own. When no row is left
 * to hand out, this thread trades the rows still out at the workers, first come first served: a
 * worker that has only just started (its tape to build, its code cold) does not hold up the end.
 * A row's figures do not depend on where it is traded, so the first answer for a row is the one
 * reported and a later one is dropped.
 */
function runRows(run: {
  readonly ready: readonly Worker[];
  readonly here: RowEvaluator | undefined;
  readonly rows: readonly SweepRow[];
  readonly onResult: (result: RowResult) => void;
  readonly batchSize: number;
  readonly nextBatch: () => number;
  readonly attach: (handler: RunHandler) => void;
}): Promise<void> {
  const { here, rows, onResult, batchSize } = run;
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let failed = false;
    const reported = new Set<number>();
    /** The batches handed to workers and not answered yet, by number. */
    const out = new Map<number, readonly SweepRow[]>();
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    const report = (result: RowResult): void => {
      if (failed || reported.has(result.id)) return;
      reported.add(result.id);
      onResult(result);
      if (reported.size === rows.length) resolve();
    };
    const takeBatch = (): SweepRow[] => {
      const batch = rows.slice(next, next + batchSize);
      next += batch.length;
      return batch;
    };
    const feed = (worker: Worker): void => {
      if (failed || next >= rows.length) return;
      const batch = run.nextBatch();
      const batchRows = takeBatch();
      out.set(batch, batchRows);
      worker.postMessage({ kind: 'rows', batch, rows: batchRows } satisfies WorkerRequest);
    };
    /** A row handed to a worker and not answered yet. */
    const unanswered = (): SweepRow | undefined => {
      for (const batch of out.values()) for (const row of batch) if (!reported.has(row.id)) return row;
      return undefined;
    };
    const tradeHere = (): void => {
      if (here === undefined || failed || reported.size === rows.length) return;
      const batch = next < rows.length ? takeBatch() : [unanswered()].filter((row) => row !== undefined);
      if (batch.length === 0) return;
      try {
        for (const row of batch) report(here.evaluate(row));
      } catch (error) {
        return fail(error as Error);
      }
      setImmediate(tradeHere);
    };
    run.attach({
      ready: (worker) => {
        feed(worker);
        feed(worker);
      },
      results: (worker, batch, results) => {
        if (!out.delete(batch)) return;
        for (const result of results) report(result);
        feed(worker);
      },
      fail,
    });
    if (rows.length === 0) return resolve();
    for (const worker of run.ready) {
      feed(worker);
      feed(worker);
    }
    if (here !== undefined) setImmediate(tradeHere);
  });
}
