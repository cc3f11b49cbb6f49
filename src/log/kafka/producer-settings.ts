import { Partitioners } from './kafkajs.ts';

/**
 * The spec's producer settings: acks=all (on every send), idempotence, one request in flight
 * (ordering), and retries until the broker answers, so an acknowledged append is never lost or
 * doubled. Partitions are chosen by partitionFor and passed explicitly.
 */
export const producerSettings = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 30_000 },
};
