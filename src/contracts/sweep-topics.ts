import { readSchemaFile, subjectOf, type AvroSchemaJson } from './topic-contracts.ts';
import type { TopicSpec } from './topics.ts';

/** Sweep jobs (rows to trade) and their results: the distributed sweep's work queue and answers. */
export const SWEEP_JOBS = 'crypto.sweep_jobs';
export const SWEEP_RESULTS = 'crypto.sweep_results';

export type SweepTopic = typeof SWEEP_JOBS | typeof SWEEP_RESULTS;

const DAY_MS = 86_400_000;

/**
 * The sweep topics, created by the first `cml sweep --runtime kafka`. Jobs are spread over
 * partitions so that every worker of the group gets some; results are read by one coordinator.
 */
export const SWEEP_TOPICS: Readonly<Record<SweepTopic, TopicSpec>> = {
  [SWEEP_JOBS]: {
    name: SWEEP_JOBS,
    partitions: 12,
    retentionMs: 7 * DAY_MS,
    keyField: 'job_id',
    description: 'rows of parameter sweeps for the sweep workers',
  },
  [SWEEP_RESULTS]: {
    name: SWEEP_RESULTS,
    partitions: 1,
    retentionMs: 7 * DAY_MS,
    keyField: 'job_id',
    description: "the sweep workers' figures per job",
  },
};

/** The sweep topics' schemas, as the compatibility gate and the registry take them. */
export const SWEEP_SCHEMAS: ReadonlyArray<{
  readonly topic: SweepTopic;
  readonly subject: string;
  readonly schema: AvroSchemaJson;
}> = [SWEEP_JOBS, SWEEP_RESULTS].map((topic) => ({
  topic: topic as SweepTopic,
  subject: subjectOf(topic),
  schema: readSchemaFile(topic),
}));
