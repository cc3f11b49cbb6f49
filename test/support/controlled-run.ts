import type { Config } from '../../src/config/index.ts';
import {
  CONTROLS,
  MARKET_DATA,
  ORDERS,
  type MarketData,
  type OperatorControl,
  type OrderEvent,
} from '../../src/contracts/index.ts';
import { ControlCodec, LogOperatorControls } from '../../src/controls/index.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import {
  CONTRACT_TOPICS,
  startServices,
  type PipelineTopics,
  type Services,
} from '../../src/pipeline/services.ts';
import type { Runtime } from '../../src/runtime/index.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { rebuildPortfolio } from '../../projections/portfolio/rebuild-portfolio.ts';
import { silentLogger } from './runtimes.ts';

const CHUNK = 40;

export interface ControlledRun {
  readonly orders: OrderEvent[];
  readonly hash: string;
  /** crypto.controls as the run left it: the requests and the decision engine's records. */
  readonly controls: OperatorControl[];
}

export interface RunOptions {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly serde: AvroSerde;
  readonly topics?: PipelineTopics;
}

async function caughtUp(services: Services): Promise<void> {
  while (!(await services.caughtUp())) await new Promise((done) => setTimeout(done, 50));
}

async function publish(options: RunOptions, bars: readonly MarketData[]): Promise<void> {
  const records = encodeValidated(options.serde, MARKET_DATA, bars, (bar) => bar.timestamp);
  await options.runtime.log.append([{ topic: (options.topics ?? CONTRACT_TOPICS).marketData, records }]);
}

async function readAll<T>(runtime: Runtime, topic: string, decode: (value: Buffer | null) => Promise<T>) {
  const end = (await runtime.log.endOffsets(topic)).get(0) ?? 0;
  const records = end === 0 ? [] : await runtime.log.read(topic, 0, 0, end);
  return Promise.all(records.map((record) => decode(record.value)));
}

async function finish(options: RunOptions, codec: ControlCodec): Promise<ControlledRun> {
  const topics = options.topics ?? CONTRACT_TOPICS;
  const orders = await readAll(options.runtime, topics.orders, (v) => options.serde.decode(ORDERS, v));
  const controls = await readAll(options.runtime, topics.controls ?? CONTROLS, (v) => codec.decode(v));
  const { hash } = await rebuildPortfolio(
    options.runtime.log,
    options.serde,
    options.config.exchange.initialCash,
    { ordersTopic: topics.orders, marketDataTopic: topics.marketData },
  );
  return { orders, hash, controls };
}

/**
 * A live run with an operator at the controls: bars arrive a few at a time; once a position is
 * open, entries of every symbol are paused for `pausedBars` bars, then resumed; at the next open
 * position it is force-closed. Each control is asked while the pipeline is idle between bars, as
 * an operator watching it would.
 */
export async function runWithControls(options: RunOptions, bars: readonly MarketData[], pausedBars = 300) {
  const topics = options.topics ?? CONTRACT_TOPICS;
  const codec = await ControlCodec.create(options.runtime.registry);
  const services = await startServices({
    config: options.config,
    runtime: options.runtime,
    serde: options.serde,
    logger: silentLogger,
    services: ['projections', 'signals', 'decision', 'exchange'],
    clock: 'stream',
    topics,
  });
  try {
    const projection = services.portfolio?.projection;
    if (projection === undefined) throw new Error('the portfolio projection did not start');
    const controls = new LogOperatorControls({
      log: options.runtime.log,
      codec,
      ...(topics.controls === undefined ? {} : { topic: topics.controls }),
      openPositions: (symbol) =>
        [...projection.current().lots.values()].filter((lot) => lot.symbol === symbol).length,
    });
    const openSymbol = (): string | undefined => [...projection.current().lots.values()][0]?.symbol;
    let next = 0;
    const step = async (count: number): Promise<void> => {
      await publish(options, bars.slice(next, next + count));
      next = Math.min(bars.length, next + count);
      await caughtUp(services);
    };
    const untilOpen = async (): Promise<string> => {
      for (;;) {
        const symbol = openSymbol();
        if (symbol !== undefined) return symbol;
        if (next >= bars.length) throw new Error('no position opened before the bars ran out');
        await step(CHUNK);
      }
    };
    await untilOpen();
    await controls.pauseEntries({ by: 'test', reason: 'news' });
    for (let paused = 0; paused < pausedBars; paused += CHUNK) await step(CHUNK);
    await controls.resumeEntries({ by: 'test' });
    const symbol = await untilOpen();
    await controls.forceClose({ symbol, by: 'test' });
    while (next < bars.length) await step(CHUNK * 5);
  } finally {
    await services.stop();
  }
  return finish(options, codec);
}

/**
 * The replay: the bars and the controls of a run, copied into a fresh log before anything runs,
 * then the processors over them at once.
 */
export async function replayWithControls(
  options: RunOptions,
  bars: readonly MarketData[],
  controls: readonly OperatorControl[],
): Promise<ControlledRun> {
  const topics = options.topics ?? CONTRACT_TOPICS;
  const codec = await ControlCodec.create(options.runtime.registry);
  await options.runtime.log.append([
    { topic: topics.controls ?? CONTROLS, records: codec.records(controls) },
  ]);
  await publish(options, bars);
  const services = await startServices({
    config: options.config,
    runtime: options.runtime,
    serde: options.serde,
    logger: silentLogger,
    services: ['projections', 'signals', 'decision', 'exchange'],
    clock: 'stream',
    topics,
  });
  try {
    await caughtUp(services);
  } finally {
    await services.stop();
  }
  return finish(options, codec);
}
