/**
 * Child process of the chaos test: one service of the pipeline (signals, decision, exchange or
 * projections) on Kafka, over the run's topics and groups, until it is killed.
 *
 *   node --import tsx test/fault/pipeline-service.ts <service> <run.json>
 *   (run.json: { config, topics }, written by the harness)
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../../src/config/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startServices, type PipelineTopics, type ServiceName } from '../../src/pipeline/services.ts';
import { openKafkaRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';

const [service, runFile] = process.argv.slice(2) as [ServiceName, string];
const run = JSON.parse(readFileSync(runFile, 'utf8')) as { config: Config; topics: PipelineTopics };
const config: Config = { ...run.config, dataDir: `${run.config.dataDir}/${service}` };
const logger = createLogger((process.env.CHAOS_LOG_LEVEL as 'debug' | undefined) ?? 'silent');
const runtime = await openKafkaRuntime(config, logger);
const serde = await AvroSerde.create(runtime.registry);
await startServices({
  config,
  runtime,
  serde,
  logger,
  services: [service],
  clock: 'stream',
  topics: run.topics,
});
process.stdout.write('ready\n');
// Runs until the harness kills it.
setInterval(() => undefined, 60_000);
