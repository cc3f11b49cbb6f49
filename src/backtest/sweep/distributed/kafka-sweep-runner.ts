import { randomUUID } from 'node:crypto';
import { SWEEP_JOBS, SWEEP_RESULTS, SWEEP_TOPICS } from '../../../contracts/index.ts';
import type { Runtime } from '../../../runtime/index.ts';
import type { RemoteSweep } from '../run-sweep.ts';
import type { RowRunner } from '../sweep-pool.ts';
import { SweepCodec, DEFAULT_SWEEP_TOPICS, type SweepTopicNames } from './sweep-codec.ts';
import { fromRowRecord, jobsOf } from './sweep-jobs.ts';

export interface KafkaSweepOptions {
  readonly runtime: Runtime;
  readonly topics?: SweepTopicNames;
  /** Rows per job: a job is the unit a worker takes, commits and, if killed, leaves to another. */
  readonly rowsPerJob?: number;
  /** Told when the jobs are on the topic (for the CLI, and tests that disturb the workers). */
  readonly onJobsWritten?: (sweepId: string, jobs: number) => void;
}

/** Creates the sweep topics where missing (as declared, under the names given). */
export async function ensureSweepTopics(runtime: Runtime, topics: SweepTopicNames): Promise<void> {
  await runtime.topicAdmin.createTopics([
    { ...SWEEP_TOPICS[SWEEP_JOBS], name: topics.jobs },
    { ...SWEEP_TOPICS[SWEEP_RESULTS], name: topics.results },
  ]);
}

/**
 * The coordinator of a distributed sweep: writes the rows as jobs to the jobs topic (one atomic
 * append), then reads the results topic from where it ended before, keeping the first result of
 * each of its jobs (a job redone after a worker died, or by a worker that was presumed dead,
 * answers twice; the figures are the same). Done when every job has answered.
 */
export function kafkaSweepRunner(options: KafkaSweepOptions): (sweep: RemoteSweep) => RowRunner {
  const topics = options.topics ?? DEFAULT_SWEEP_TOPICS;
  const rowsPerJob = options.rowsPerJob ?? 4;
  return (sweep) => ({
    async run(rows, onResult) {
      const { runtime } = options;
      await ensureSweepTopics(runtime, topics);
      const codec = await SweepCodec.create(runtime.registry, topics);
      const sweepId = `sweep-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
      const jobs = jobsOf(sweepId, sweep, rows, rowsPerJob, Date.now());
      const pending = new Set(jobs.map((job) => job.job_id));
      const start = (await runtime.log.endOffsets(topics.results)).get(0) ?? 0;
      let settle!: () => void;
      let fail!: (error: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        settle = resolve;
        fail = reject;
      });
      const subscription = await runtime.log.subscribe({
        group: `${sweepId}.coordinator`,
        topics: [topics.results],
        fromBeginning: false,
        startAt: () => start,
        handler: async (batch) => {
          try {
            for (const record of batch.records) {
              const result = await codec.decodeResult(record.value);
              if (result.sweep_id !== sweepId || !pending.delete(result.job_id)) continue;
              for (const row of result.rows) onResult(fromRowRecord(row));
            }
            if (pending.size === 0) settle();
          } catch (error) {
            fail(error);
          }
        },
      });
      try {
        await runtime.log.append([
          {
            topic: topics.jobs,
            records: jobs.map((job) => ({
              key: job.job_id,
              value: codec.encodeJob(job),
              timestamp: job.created_at,
            })),
          },
        ]);
        options.onJobsWritten?.(sweepId, jobs.length);
        if (pending.size > 0) await done;
      } finally {
        await subscription.stop();
      }
    },
    close: () => Promise.resolve(),
  });
}
