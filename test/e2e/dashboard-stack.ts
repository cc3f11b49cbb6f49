import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CandleProjection, CandleStore } from '../../projections/candles/index.ts';
import { PortfolioProjection } from '../../projections/portfolio/portfolio-projection.ts';
import { PortfolioStore } from '../../projections/portfolio/portfolio-store.ts';
import { SignalProjection, SignalStore } from '../../projections/signals/index.ts';
import { buildApi, createMetrics } from '../../src/api/index.ts';
import type { DataTopic, TopicValues } from '../../src/contracts/index.ts';
import { ControlCodec, controlsView, LogOperatorControls } from '../../src/controls/index.ts';
import { openLogFeed, runtimePipelineHealth, type LogFeed } from '../../src/dashboard/index.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import {
  DEFAULT_EXCHANGE_SETTINGS,
  ExchangeRunner,
  ExchangeStore,
  logWatermark,
} from '../../streams/exchange/index.ts';
import { embeddedHarness, eventually, silentLogger } from '../support/runtimes.ts';

const temp = (name: string): string => mkdtempSync(join(tmpdir(), `cml-e2e-${name}-`));

/**
 * The system a user of `npm start` would have, in this process: an embedded runtime, the virtual
 * exchange, the portfolio, signal and candle projections, the live feed, and the API with the
 * dashboard listening on 127.0.0.1 at a free port.
 */
export class DashboardStack {
  private constructor(
    readonly runtime: Runtime,
    readonly serde: AvroSerde,
    readonly app: FastifyInstance,
    readonly url: string,
    /** The operators' controls, as the API's routes serve them (requests into crypto.controls). */
    readonly controls: LogOperatorControls,
    private readonly exchange: ExchangeRunner,
    private readonly projections: ReadonlyArray<{ caughtUp(): Promise<boolean>; stop(): Promise<void> }>,
    private readonly feed: LogFeed,
    private readonly closers: ReadonlyArray<{ close(): Promise<void> }>,
  ) {}

  static async start(): Promise<DashboardStack> {
    const harness = embeddedHarness();
    const runtime = await harness.open();
    await prepareRuntime(runtime, harness.config);
    const serde = await AvroSerde.create(runtime.registry);
    const exchangeStore = ExchangeStore.open(temp('exchange'));
    const exchange = new ExchangeRunner({
      log: runtime.log,
      serde,
      logger: silentLogger,
      store: exchangeStore,
      settings: DEFAULT_EXCHANGE_SETTINGS,
      watermark: logWatermark(),
      pollMs: 5,
    });
    const store = PortfolioStore.open(temp('portfolio'));
    const signals = SignalStore.open(temp('signals'));
    const candles = CandleStore.open(temp('candles'));
    const common = { log: runtime.log, serde, logger: silentLogger };
    const portfolio = new PortfolioProjection({
      ...common,
      store,
      initialCash: DEFAULT_EXCHANGE_SETTINGS.initialCash,
    });
    const projections = [
      portfolio,
      new SignalProjection({ ...common, store: signals }),
      new CandleProjection({ ...common, store: candles }),
    ];
    for (const projection of projections) await projection.start();
    await exchange.start();
    const feed = await openLogFeed(common);
    const controls = new LogOperatorControls({
      log: runtime.log,
      codec: await ControlCodec.create(runtime.registry),
      openPositions: (symbol) =>
        [...portfolio.current().lots.values()].filter((lot) => lot.symbol === symbol).length,
    });
    const app = await buildApi({
      store,
      portfolio: () => portfolio.current(),
      signals,
      appendOrders: () => Promise.reject(new Error('read-only in this test')),
      controls: { operator: controls, view: async () => controlsView(await controls.history()) },
      metrics: createMetrics({ defaultMetrics: false }),
      dashboard: {
        candles: (query) => candles.candles(query),
        symbols: () => candles.symbols(),
        pipeline: () => runtimePipelineHealth(runtime),
        feed: feed.feed,
        portfolioEveryMs: 250,
      },
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return new DashboardStack(runtime, serde, app, url, controls, exchange, projections, feed, [
      exchangeStore,
      store,
      signals,
      candles,
    ]);
  }

  async publish<K extends DataTopic>(topic: K, values: readonly TopicValues[K][]): Promise<void> {
    if (values.length === 0) return;
    // Every data topic's value has an event time; freshness is checked against it (history).
    const records = encodeValidated(
      this.serde,
      topic,
      values,
      (value) => (value as { timestamp: number }).timestamp,
    );
    await this.runtime.log.append([{ topic, records }]);
  }

  /** Until the exchange has settled every bar and every projection has folded everything. */
  async settled(timeoutMs = 60_000): Promise<void> {
    await eventually(
      async () =>
        (await this.exchange.caughtUp()) &&
        (await Promise.all(this.projections.map((p) => p.caughtUp()))).every(Boolean),
      (done) => done,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.feed.stop();
    await this.exchange.stop();
    for (const projection of this.projections) await projection.stop();
    for (const closer of this.closers) await closer.close();
    await this.runtime.close();
  }
}
