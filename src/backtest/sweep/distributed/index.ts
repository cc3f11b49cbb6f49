/** The sweep beyond one machine: jobs on a Kafka topic, workers in one consumer group, results collected once per job. */
export { DEFAULT_SWEEP_TOPICS, SweepCodec, type SweepTopicNames } from './sweep-codec.ts';
export { ensureSweepTopics, kafkaSweepRunner, type KafkaSweepOptions } from './kafka-sweep-runner.ts';
export {
  DEFAULT_SWEEP_WORKER_GROUP,
  startSweepWorker,
  type SweepWorkerOptions,
} from './sweep-worker-service.ts';
export { fromRowRecord, jobIdOf, jobsOf, toRowRecord } from './sweep-jobs.ts';
