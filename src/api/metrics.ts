import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus registry of one process and the metrics its processors report to. Built by a
 * factory and passed to whoever reports (no module-level registry), so tests and several apps in
 * one process never share counters. Processors may register more metrics on `registry`.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly messagesProcessed: Counter<'processor' | 'topic'>;
  readonly deadLetters: Counter<'topic'>;
  /** Seconds from a batch's arrival to its commit. */
  readonly processingSeconds: Histogram<'processor' | 'topic'>;
  /** Records between a group's committed offset and the partition's end. */
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly fills: Counter<'symbol' | 'action'>;
  readonly closes: Counter<'symbol' | 'reason'>;
  readonly cancels: Counter<'reason'>;
  /** Records a projection has still to fold, refreshed at each scrape. */
  readonly projectionLag: Gauge<'projection'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    messagesProcessed: new Counter({
      name: 'cml_messages_processed_total',
      help: 'Messages handled, per processor and topic',
      labelNames: ['processor', 'topic'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'cml_dead_letters_total',
      help: 'Messages sent to the dead-letter topic, per original topic',
      labelNames: ['topic'],
      registers,
    }),
    processingSeconds: new Histogram({
      name: 'cml_processing_seconds',
      help: 'Time to handle and commit one batch, per processor and topic',
      labelNames: ['processor', 'topic'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'cml_consumer_lag_records',
      help: 'End offset minus committed offset, per consumer group, topic and partition',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    fills: new Counter({
      name: 'cml_order_fills_total',
      help: 'FILLED order events, per symbol and action',
      labelNames: ['symbol', 'action'],
      registers,
    }),
    closes: new Counter({
      name: 'cml_position_closes_total',
      help: 'CLOSED order events, per symbol and close reason',
      labelNames: ['symbol', 'reason'],
      registers,
    }),
    cancels: new Counter({
      name: 'cml_order_cancels_total',
      help: 'CANCELLED order events, per cancel reason',
      labelNames: ['reason'],
      registers,
    }),
    projectionLag: new Gauge({
      name: 'cml_projection_lag_records',
      help: 'Records a projection has not folded yet',
      labelNames: ['projection'],
      registers,
    }),
  };
}
