import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalProjection } from '../../projections/signals/signal-projection.ts';
import { SignalStore } from '../../projections/signals/signal-store.ts';
import { createMetrics } from '../../src/api/metrics.ts';
import { MARKET_DATA, ML_SIGNALS, ORDERS, type MlSignal } from '../../src/contracts/index.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { PortfolioProjection } from '../../projections/portfolio/portfolio-projection.ts';
import { PortfolioStore } from '../../projections/portfolio/portfolio-store.ts';
import { rebuildPortfolio } from '../../projections/portfolio/rebuild-portfolio.ts';
import { portfolioStateHash } from '../../projections/portfolio/state-hash.ts';
import { stepExchange } from '../../streams/exchange/exchange-decide.ts';
import { DEFAULT_EXCHANGE_SETTINGS, initialExchangeState } from '../../streams/exchange/exchange-state.ts';
import { script } from '../support/exchange-script.ts';
import { signalAt } from '../support/messages.ts';
import { createTestTopic, eventually, silentLogger, type RuntimeHarness } from '../support/runtimes.ts';

/**
 * The portfolio projection on a runtime: the scripted market's order log and bars, as the
 * exchange would have written them, folded live, resumed after a restart, and rebuilt.
 */
export function describePortfolioProjection(harness: () => RuntimeHarness): void {
  let h: RuntimeHarness;
  let runtime: Runtime;
  let serde: AvroSerde;
  /** Topics of this suite's own: offsets and contents known, whatever else ran on the broker. */
  let topics: { orders: string; marketData: string };
  const storeDir = (): string => mkdtempSync(join(tmpdir(), 'cml-portfolio-'));

  beforeAll(async () => {
    h = harness();
    runtime = await h.open();
    await prepareRuntime(runtime, h.config);
    serde = await AvroSerde.create(runtime.registry);
    topics = {
      orders: await createTestTopic(runtime, 1, -1),
      marketData: await createTestTopic(runtime, 3, -1),
    };
    // The log of the scripted market: each bar, then what the exchange appended on it.
    const publish = async <K extends typeof MARKET_DATA | typeof ORDERS>(
      topic: K,
      values: Parameters<typeof encodeValidated<K>>[2],
    ): Promise<void> => {
      const records = encodeValidated(serde, topic, values, (value) =>
        'fill_price' in value ? (value.event_time ?? value.timestamp) : value.timestamp,
      );
      await runtime.log.append([{ topic: topic === ORDERS ? topics.orders : topics.marketData, records }]);
    };
    let exchange = initialExchangeState(DEFAULT_EXCHANGE_SETTINGS);
    for (const input of script()) {
      const step = stepExchange(exchange, input, DEFAULT_EXCHANGE_SETTINGS);
      exchange = step.state;
      if (input.kind === 'bar') await publish(MARKET_DATA, [input.bar]);
      else await publish(ORDERS, [input.event]);
      if (step.emitted.length > 0) await publish(ORDERS, step.emitted);
    }
  });
  afterAll(async () => {
    await runtime.close();
  });

  const runUntilCaughtUp = async (
    store: PortfolioStore,
    metrics?: ReturnType<typeof createMetrics>,
  ): Promise<PortfolioProjection> => {
    const projection = new PortfolioProjection({
      log: runtime.log,
      serde,
      store,
      initialCash: 10_000,
      logger: silentLogger,
      readFrom: topics,
      ...(metrics === undefined ? {} : { metrics }),
    });
    await projection.start();
    await eventually(
      () => projection.caughtUp(),
      (done) => done,
      60_000,
    );
    return projection;
  };

  it('folds the log into the portfolio, the ledger, trades and history, and a rebuild gives the same hash', async () => {
    const store = PortfolioStore.open(storeDir());
    const metrics = createMetrics({ defaultMetrics: false });
    const projection = await runUntilCaughtUp(store, metrics);
    const live = projection.current();
    expect(await projection.lag()).toBe(0);
    await projection.stop();
    // FILLED: 001, 002, 003, 005 (SELL), 008, 009; CLOSED: 001, 002, 003, 008; CANCELLED: 004, 006, 007.
    const counted = async (name: string): Promise<number> =>
      (await metrics.registry.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
    expect(await counted('cml_order_fills_total')).toBe(6);
    expect(await counted('cml_position_closes_total')).toBe(4);
    expect(await counted('cml_order_cancels_total')).toBe(3);
    expect(live.cash).toBeCloseTo(9_068.574, 9);
    expect(live.realizedPnl).toBeCloseTo(59.564, 9);
    expect(store.trades().map((t) => t.realizedPnl)).toEqual([47.95, -26.138, 39.95, -2.198]);
    expect(store.orderHistory('ORD-20240101-001').map((e) => e.status)).toEqual([
      'PENDING',
      'FILLED',
      'CLOSED',
    ]);
    const sum = store
      .postings()
      .flatMap((p) => p.lines)
      .reduce((total, line) => total + line.amount, 0);
    expect(Math.abs(sum)).toBeLessThan(1e-9);
    expect(store.equityCurve().length).toBeGreaterThan(0);

    const rebuilt = await rebuildPortfolio(runtime.log, serde, 10_000, {
      ordersTopic: topics.orders,
      marketDataTopic: topics.marketData,
    });
    expect(rebuilt.hash).toBe(portfolioStateHash(live));
    await store.close();
  });

  it('keeps the crypto.orders offset of each order event, so the store answers as of an offset', async () => {
    const store = PortfolioStore.open(storeDir());
    const projection = await runUntilCaughtUp(store);
    await projection.stop();
    // Offset 7 is 003's fill (offsets: test/unit/api/api-fixture.ts): before it, two round trips done.
    const before = store.portfolioAsOf(10_000, { kind: 'offset', offset: 7 });
    expect(before?.cash).toBeCloseTo(10_021.812, 9);
    expect(before?.holdings.size).toBe(0);
    const after = store.portfolioAsOf(10_000, { kind: 'offset', offset: 8 });
    expect(after?.cash).toBeCloseTo(5_016.812, 9);
    expect(after?.holdings.get('AAAUSDT')?.quantity).toBe(50);
    expect(store.orders({ status: 'FILLED', limit: 10 }).orders.map((o) => o.order_id)).toEqual([
      'ORD-20240101-005',
      'ORD-20240101-009',
    ]);
    await store.close();
  });

  it('resumes from its store after a restart without double counting', async () => {
    const dir = storeDir();
    const first = PortfolioStore.open(dir);
    const projection = await runUntilCaughtUp(first);
    const hash = portfolioStateHash(projection.current());
    const rows = first.postings().length;
    await projection.stop();
    await first.close();

    const reopened = PortfolioStore.open(dir);
    const again = await runUntilCaughtUp(reopened);
    expect(portfolioStateHash(again.current())).toBe(hash);
    expect(reopened.postings().length).toBe(rows);
    await again.stop();
    await reopened.close();
  });

  describe('signal history', () => {
    let topic: string;
    const T = Date.UTC(2024, 0, 2);
    const signals: MlSignal[] = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BTCUSDT', 'ETHUSDT', 'BTCUSDT'].map(
      (symbol, i) => signalAt(T + i * 60_000, { symbol, model: i % 2 === 0 ? 'random_forest' : 'svm' }),
    );
    const publish = (values: readonly MlSignal[]) =>
      runtime.log.append([
        {
          topic,
          records: values.map((s) => ({
            key: s.symbol,
            value: serde.encode(ML_SIGNALS, s),
            timestamp: s.timestamp,
          })),
        },
      ]);
    const runSignals = async (store: SignalStore): Promise<SignalProjection> => {
      const projection = new SignalProjection({
        log: runtime.log,
        serde,
        store,
        logger: silentLogger,
        readFrom: topic,
      });
      await projection.start();
      await eventually(
        () => projection.caughtUp(),
        (done) => done,
        60_000,
      );
      return projection;
    };

    beforeAll(async () => {
      // A topic of its own (3 partitions, like crypto.ml_signals), kept forever: the signals carry 2024 times.
      topic = await createTestTopic(runtime, 3, -1);
      await publish(signals);
    });

    it('folds the signals of every partition into the store, queryable in time order by symbol and model', async () => {
      const store = SignalStore.open(storeDir());
      const projection = await runSignals(store);
      await projection.stop();
      const all = store.signals({ limit: 100 }).rows.map((r) => r.signal);
      expect(all).toEqual(signals);
      expect(new Set(store.signals({ limit: 100 }).rows.map((r) => r.partition)).size).toBeGreaterThan(1);
      expect(
        store.signals({ symbol: 'BTCUSDT', model: 'svm', limit: 100 }).rows.map((r) => r.signal.timestamp),
      ).toEqual([T + 3 * 60_000, T + 5 * 60_000]);
      await store.close();
    });

    it('resumes from its store after a restart: nothing lost, nothing twice', async () => {
      const dir = storeDir();
      const first = SignalStore.open(dir);
      await (await runSignals(first)).stop();
      await first.close();
      const later = signalAt(T + 10 * 60_000, { symbol: 'SOLUSDT' });
      await publish([later]);
      const reopened = SignalStore.open(dir);
      const again = await runSignals(reopened);
      await again.stop();
      expect(reopened.count()).toBe(signals.length + 1);
      expect(reopened.signals({ symbol: 'SOLUSDT', limit: 10 }).rows.map((r) => r.signal.timestamp)).toEqual([
        T + 2 * 60_000,
        T + 10 * 60_000,
      ]);
      await reopened.close();
    });
  });
}
