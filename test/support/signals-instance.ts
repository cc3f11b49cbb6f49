/**
 * One signals-processor instance in its own process (the rebalance test kills one; bench/latency.ts
 * runs 1 to 3):
 *
 *   node --import tsx test/support/signals-instance.ts <input> <output> <group> <modelsDir>
 *
 * Kafka from KAFKA_BROKERS / SCHEMA_REGISTRY_URL / KAFKA_CLIENT_ID (default: one of its own) and
 * KAFKA_SESSION_TIMEOUT_MS. Logs JSON lines (pino, LOG_LEVEL, default info)
 * on stderr; stops cleanly on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/index.ts';
import { streamClock } from '../../src/messaging/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { openKafkaRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { startSignalsProcessor } from '../../streams/signals/index.ts';

const [input, output, group, modelsDir] = process.argv.slice(2) as [string, string, string, string];
const logger = createLogger((process.env.LOG_LEVEL as 'info' | undefined) ?? 'info');
const config = loadConfig({
  overrides: {
    runtime: 'kafka',
    'kafka.clientId': process.env.KAFKA_CLIENT_ID ?? `signals-${randomUUID().slice(0, 8)}`,
  },
});
const runtime = await openKafkaRuntime(config, logger);
const serde = await AvroSerde.create(runtime.registry);
const processor = await startSignalsProcessor({
  log: runtime.log,
  serde,
  logger,
  clock: streamClock(),
  modelsDir,
  group,
  reloadIntervalMs: 3_600_000,
  readFrom: input,
  writeTo: output,
});
process.once('SIGTERM', () => {
  void (async () => {
    await processor.stop();
    logger.info({ stats: processor.stats() }, 'instance stopped');
    await runtime.close();
    process.exit(0);
  })();
});
