/**
 * Child process of the exchange fault test: the virtual exchange service on Kafka over the given
 * topics, printing how many bars it has settled; it exits once every bar is settled. The parent
 * kills it with SIGKILL at chosen moments and starts it again.
 *
 *   tsx test/fault/exchange-service.ts <market-topic> <orders-topic> <group> <store-dir>
 *   (KAFKA_BROKERS and SCHEMA_REGISTRY_URL in the environment)
 */
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { openKafkaRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { openExchange } from '../../streams/exchange/open-exchange.ts';

const [marketDataTopic, ordersTopic, group, storeDir] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const config = loadConfig({ env: process.env });
const logger = createLogger('warn');
const runtime = await openKafkaRuntime(config, logger);
const serde = await AvroSerde.create(runtime.registry);
const exchange = openExchange(
  { ...config, exchange: { ...config.exchange, watermark: 'log' } },
  runtime,
  serde,
  logger,
  {
    group,
    marketDataTopic,
    ordersTopic,
    storeDir,
    pollMs: 5,
  },
);
await exchange.runner.start();
process.stdout.write('ready\n');
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  process.stdout.write(`settled ${exchange.runner.barsSettled}\n`);
  if (await exchange.runner.caughtUp()) break;
}
await exchange.stop();
await runtime.close();
process.stdout.write('done\n');
