/**
 * Child process of the chaos and standby tests: one service of the pipeline (signals, decision,
 * exchange or projections) on Kafka, over the run's topics and groups, until it is killed. With
 * `standby` it first waits for the service's lease (printing `standby`, then `active`), and steps
 * down (exit 75, a line on stderr) when it loses the lease or is fenced.
 *
 *   node --import tsx test/fault/pipeline-service.ts <service> <run.json> [standby]
 *   (run.json: { config, topics }, written by the harness; with `standby`, config.dataDir gets
 *   a directory per process)
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../../src/config/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startServices, type PipelineTopics, type ServiceName } from '../../src/pipeline/services.ts';
import { openKafkaRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import {
  becomeActive,
  stepDownNow,
  stepDownOnFailure,
  type SingletonService,
} from '../../src/standby/index.ts';

const [service, runFile, mode] = process.argv.slice(2) as [ServiceName, string, string | undefined];
const standby = mode === 'standby';
const run = JSON.parse(readFileSync(runFile, 'utf8')) as { config: Config; topics: PipelineTopics };
const dataDir = `${run.config.dataDir}/${service}${standby ? `-${process.pid}` : ''}`;
const config: Config = { ...run.config, dataDir };
const logger = createLogger((process.env.CHAOS_LOG_LEVEL as 'debug' | undefined) ?? 'silent');
// A standby started while the broker is away (restarted after stepping down) steps down again.
const activating = standby
  ? stepDownOnFailure(stepDownNow(logger))
  : <T>(start: () => Promise<T>): Promise<T> => start();
const runtime = await activating(() => openKafkaRuntime(config, logger));
const serde = await activating(() => AvroSerde.create(runtime.registry));
if (standby) {
  await activating(() =>
    becomeActive({
      config,
      runtime,
      services: [service as SingletonService],
      leaseTopic: run.topics.orders,
      logger,
      stepDown: stepDownNow(logger),
      onWaiting: () => process.stdout.write('standby\n'),
    }),
  );
  process.stdout.write(`active ${Date.now()}\n`);
}
await activating(() =>
  startServices({
    config,
    runtime,
    serde,
    logger,
    services: [service],
    clock: 'stream',
    topics: run.topics,
  }),
);
process.stdout.write('ready\n');
// Runs until the harness kills it.
setInterval(() => undefined, 60_000);
