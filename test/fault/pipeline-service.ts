/**
 * Child process of the chaos and standby tests: one service of the pipeline (signals, decision,
 * exchange or projections) on Kafka, over the run's topics and groups, until it is killed. With
 * `standby` it first waits for the service's lease (printing `standby`, then `active`), and steps
 * down (exit 75, a line on stderr) when it loses the lease or is fenced. With `instance=<label>`
 * it is one more instance of a partitioned service (signals) in its own data directory. SIGTERM
 * stops it cleanly (it leaves its group) and exits 0. The signals service prints `restores <n>`
 * each time it has rebuilt the windows of partitions it was given
 * (`restores <partitions> warmup <bars read to rebuild them>`).
 *
 *   node --import tsx test/fault/pipeline-service.ts <service> <run.json> [standby] [instance=<label>]
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

const [service, runFile, ...flags] = process.argv.slice(2) as [ServiceName, string, ...string[]];
const standby = flags.includes('standby');
const instance = flags.find((flag) => flag.startsWith('instance='))?.slice('instance='.length);
const run = JSON.parse(readFileSync(runFile, 'utf8')) as { config: Config; topics: PipelineTopics };
const suffix = standby ? `-${process.pid}` : instance === undefined ? '' : `-${instance}`;
const dataDir = `${run.config.dataDir}/${service}${suffix}`;
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
const started = await activating(() =>
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
process.once('SIGTERM', () => {
  void started
    .stop()
    .then(() => runtime.close())
    .then(() => process.exit(0));
});
// Runs until the harness kills or stops it.
let restores = 0;
setInterval(() => {
  const stats = started.signals?.stats();
  if (stats === undefined || stats.restores === restores) return;
  restores = stats.restores;
  process.stdout.write(`restores ${restores} warmup ${stats.warmupBars}\n`);
}, 250);
