import { hostname } from 'node:os';
import type { SweepJob } from '../../../contracts/index.ts';
import type { Config } from '../../../config/index.ts';
import type { AppendRecord, Subscription } from '../../../log/port.ts';
import type { ModelArtifact } from '../../../ml/index.ts';
import type { Logger } from '../../../observability/logger.ts';
import type { Runtime } from '../../../runtime/index.ts';
import { loadSweepMarket, sweepContextOf, trainArtifacts, type SweepMarket } from '../run-sweep.ts';
import { RowEvaluator, type SweepContext } from '../sweep-evaluate.ts';
import { rowOf, type TapeSpec } from '../sweep-plan.ts';
import { ensureSweepTopics } from './kafka-sweep-runner.ts';
import { DEFAULT_SWEEP_TOPICS, SweepCodec, type SweepTopicNames } from './sweep-codec.ts';
import { toRowRecord } from './sweep-jobs.ts';

export const DEFAULT_SWEEP_WORKER_GROUP = 'sweep-workers';

export interface SweepWorkerOptions {
  /** The same configuration as the coordinator's (the rows' settings are applied on top of it). */
  readonly config: Config;
  readonly runtime: Runtime;
  readonly logger: Logger;
  readonly topics?: SweepTopicNames;
  readonly group?: string;
  /** Tells who computed a result. */
  readonly workerId?: string;
}

/** What a worker keeps of a sweep between its jobs: the bars, the trained models, the tapes. */
interface SweepState {
  readonly market: SweepMarket;
  readonly artifacts: Record<string, readonly ModelArtifact[]>;
  readonly evaluator: RowEvaluator;
}

/**
 * A sweep worker: a member of the workers' consumer group on the jobs topic. For each job it
 * trades the job's rows (reading the file and training the models the first time a sweep needs
 * them) and appends the result in the same transaction as the commit of the job's offset, so a
 * job is either answered and done, or (the worker killed before that) redone by the member that
 * gets its partition.
 */
export async function startSweepWorker(options: SweepWorkerOptions): Promise<Subscription> {
  const { config, runtime, logger } = options;
  const topics = options.topics ?? DEFAULT_SWEEP_TOPICS;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}`;
  await ensureSweepTopics(runtime, topics);
  const codec = await SweepCodec.create(runtime.registry, topics);
  const sweeps = new Map<string, SweepState>();

  const stateOf = (job: SweepJob): SweepState => {
    const known = sweeps.get(job.sweep_id);
    if (known !== undefined) return known;
    const market = loadSweepMarket({
      file: job.file,
      ...(job.symbol === null ? {} : { symbol: job.symbol }),
      trainShare: job.train_share,
      outOfSampleShare: job.oos_share,
    });
    const artifacts: Record<string, readonly ModelArtifact[]> = {};
    const context: SweepContext = { ...sweepContextOf(config, market, []), artifacts };
    const state = { market, artifacts, evaluator: new RowEvaluator(context) };
    sweeps.set(job.sweep_id, state);
    // A worker serves sweep after sweep: keep the latest two.
    while (sweeps.size > 2) sweeps.delete(sweeps.keys().next().value as string);
    return state;
  };

  const answer = (job: SweepJob): AppendRecord => {
    const state = stateOf(job);
    const planned = job.rows.map((r) => rowOf(config, r.id, r.models, r.values));
    const missing = new Map<string, TapeSpec>();
    for (const { tape } of planned) if (state.artifacts[tape.key] === undefined) missing.set(tape.key, tape);
    if (missing.size > 0)
      Object.assign(
        state.artifacts,
        trainArtifacts(
          config,
          state.market.bars.slice(0, state.market.split),
          [...missing.values()],
          undefined,
        ),
      );
    const rows = planned.map(({ row }) => toRowRecord(state.evaluator.evaluate(row)));
    const finishedAt = Date.now();
    logger.info({ job: job.job_id, rows: rows.length, worker: workerId }, 'sweep job done');
    return {
      key: job.job_id,
      value: codec.encodeResult({
        sweep_id: job.sweep_id,
        job_id: job.job_id,
        worker: workerId,
        finished_at: finishedAt,
        rows,
      }),
      timestamp: finishedAt,
    };
  };

  return runtime.log.subscribe({
    group: options.group ?? DEFAULT_SWEEP_WORKER_GROUP,
    topics: [topics.jobs],
    fromBeginning: true,
    handler: async (batch) => {
      const records: AppendRecord[] = [];
      for (const record of batch.records) {
        const job = await codec.decodeJob(record.value);
        try {
          records.push(answer(job));
        } catch (error) {
          // A job that cannot be traded here (its file missing, a setting refused) is skipped
          // rather than retried forever: its coordinator keeps waiting for it.
          logger.error({ err: error, job: job.job_id, worker: workerId }, 'sweep job failed; skipped');
        }
      }
      return records.length === 0 ? {} : { append: [{ topic: topics.results, records }] };
    },
  });
}
