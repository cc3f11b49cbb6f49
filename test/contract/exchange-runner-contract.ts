import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MARKET_DATA, ORDERS, type MarketData, type OrderEvent } from '../../src/contracts/index.ts';
import { partitionFor } from '../../src/log/partitioner.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import {
  DEFAULT_EXCHANGE_SETTINGS,
  ExchangeRunner,
  ExchangeStore,
  logWatermark,
  type OrdersWatermark,
} from '../../streams/exchange/index.ts';
import { executionOf, expectedExecutions, orderFlow, type OrderFlow } from '../support/order-flow.ts';
import {
  createTestTopic,
  eventually,
  silentLogger,
  uniqueName,
  type RuntimeHarness,
} from '../support/runtimes.ts';

const MINUTES = 120;

/**
 * The virtual exchange as a service on a runtime: its fills are those of the pure step over the
 * event-time order, whether the orders reach the log before the bars or trickle in behind them,
 * and across a restart, with no event written twice.
 */
export function describeExchangeRunner(harness: () => RuntimeHarness): void {
  let runtime: Runtime;
  let serde: AvroSerde;
  let flow: OrderFlow;
  let expected: string[];

  beforeAll(async () => {
    const h = harness();
    runtime = await h.open();
    await prepareRuntime(runtime, h.config);
    serde = await AvroSerde.create(runtime.registry);
    // Minute bars ending a few minutes ago: inside the test topics' one-day retention.
    const start = Math.floor(Date.now() / 60_000) * 60_000 - (MINUTES + 5) * 60_000;
    flow = orderFlow({ seed: 7, minutes: MINUTES, start });
    expected = expectedExecutions(flow, (symbol) => partitionFor(symbol, 3));
  });
  afterAll(async () => {
    await runtime.close();
  });

  interface Run {
    readonly marketTopic: string;
    readonly ordersTopic: string;
    readonly group: string;
    readonly storeDir: string;
  }

  const newRun = async (): Promise<Run> => ({
    marketTopic: await createTestTopic(runtime, 3),
    ordersTopic: await createTestTopic(runtime, 1),
    group: uniqueName('exchange'),
    storeDir: mkdtempSync(join(tmpdir(), 'cml-exchange-')),
  });

  const stores: ExchangeStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
  });
  const runner = (run: Run, watermark: OrdersWatermark): ExchangeRunner => {
    const store = ExchangeStore.open(run.storeDir);
    stores.push(store);
    return new ExchangeRunner({
      log: runtime.log,
      serde,
      logger: silentLogger,
      store,
      settings: DEFAULT_EXCHANGE_SETTINGS,
      watermark,
      group: run.group,
      ordersTopic: run.ordersTopic,
      marketDataTopic: run.marketTopic,
      pollMs: 5,
    });
  };

  const appendBars = async (run: Run, bars: readonly MarketData[]): Promise<void> => {
    const records = encodeValidated(serde, MARKET_DATA, bars, (bar) => bar.timestamp);
    await runtime.log.append([{ topic: run.marketTopic, records }]);
  };
  const appendOrders = async (run: Run, orders: readonly OrderEvent[]): Promise<void> => {
    if (orders.length === 0) return;
    const records = encodeValidated(serde, ORDERS, orders, (order) => order.timestamp);
    await runtime.log.append([{ topic: run.ordersTopic, records }]);
  };

  const executionsIn = async (run: Run): Promise<string[]> => {
    const records = await runtime.log.read(run.ordersTopic, 0, 0, 100_000);
    const events = await Promise.all(records.map((record) => serde.decode(ORDERS, record.value)));
    return events.filter((event) => event.status !== 'PENDING').map(executionOf);
  };

  const untilDone = async (exchange: ExchangeRunner): Promise<void> => {
    await eventually(
      () => exchange.caughtUp(),
      (done) => done,
      120_000,
    );
  };

  it('fills, closes and cancels as the pure step does, with every order in the log before the bars', async () => {
    expect(expected.filter((e) => e.includes(' FILLED ')).length).toBeGreaterThan(5);
    for (const kind of ['STOP_LOSS', 'TAKE_PROFIT', 'SELL_SIGNAL', 'INSUFFICIENT_CASH', 'EXPIRED'])
      expect(
        expected.some((e) => e.includes(kind)),
        kind,
      ).toBe(true);
    const run = await newRun();
    await appendOrders(run, flow.orders);
    await appendBars(run, flow.bars);
    const exchange = runner(run, logWatermark());
    await exchange.start();
    await untilDone(exchange);
    await exchange.stop();
    expect(await executionsIn(run)).toEqual(expected);
  });

  it('gives the same fills when the orders trickle in behind the bars', async () => {
    const run = await newRun();
    let declared = Number.NEGATIVE_INFINITY;
    const exchange = runner(run, {
      description: 'test',
      complete: (time) => Promise.resolve(time <= declared),
    });
    await exchange.start();
    const step = 15;
    for (let minute = 0; minute < MINUTES; minute += step) {
      const until = flow.bars[0]!.timestamp + (minute + step) * 60_000;
      await appendBars(
        run,
        flow.bars.filter((bar) => bar.timestamp < until && bar.timestamp >= until - step * 60_000),
      );
      // The orders of the previous stretch arrive only now, after later bars are in the log.
      const lagging = until - step * 60_000;
      await appendOrders(
        run,
        flow.orders.filter(
          (order) => order.timestamp < lagging && order.timestamp >= lagging - step * 60_000,
        ),
      );
      declared = lagging;
    }
    const last = flow.bars[0]!.timestamp + MINUTES * 60_000;
    await appendOrders(
      run,
      flow.orders.filter((order) => order.timestamp >= last - step * 60_000),
    );
    declared = Number.POSITIVE_INFINITY;
    await untilDone(exchange);
    await exchange.stop();
    expect(await executionsIn(run)).toEqual(expected);
  });

  it('resumes after a stop with nothing lost or written twice', async () => {
    const run = await newRun();
    await appendOrders(run, flow.orders);
    await appendBars(run, flow.bars);
    const first = runner(run, logWatermark());
    await first.start();
    await eventually(
      () => first.barsSettled,
      (n) => n >= flow.bars.length / 3,
    );
    await first.stop();
    await stores.pop()?.close();
    const second = runner(run, logWatermark());
    await second.start();
    await untilDone(second);
    await second.stop();
    const executions = await executionsIn(run);
    expect(new Set(executions).size).toBe(executions.length);
    expect(executions).toEqual(expected);
  });
}
