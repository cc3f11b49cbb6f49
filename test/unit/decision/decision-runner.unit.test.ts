import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortfolioState } from '../../../projections/portfolio/portfolio-fold.ts';
import { ML_SIGNALS, ORDERS, type MlSignal, type OrderEvent } from '../../../src/contracts/index.ts';
import { Publisher, recordClock } from '../../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import type { Decision } from '../../../streams/decision/decide.ts';
import { DecisionRunner } from '../../../streams/decision/decision-runner.ts';
import type { PortfolioSource } from '../../../streams/decision/portfolio-source.ts';
import { pendingOrder } from '../../support/messages.ts';
import { embeddedHarness, eventually, silentLogger, uniqueName } from '../../support/runtimes.ts';
import { SETTINGS, at, cashOnly, signal } from './decision-fixtures.ts';

/** A ledger stand-in: always the same cash-only portfolio; it records the times it was asked for. */
class FixedPortfolio implements PortfolioSource {
  readonly asked: number[] = [];
  constructor(private readonly state: PortfolioState) {}
  portfolioAt(time: number): Promise<PortfolioState> {
    this.asked.push(time);
    return Promise.resolve(this.state);
  }
}

describe('the decision runner on the embedded runtime', () => {
  let runtime: Runtime;
  let serde: AvroSerde;
  let publisher: Publisher;
  const group = uniqueName('decision');

  beforeAll(async () => {
    const harness = embeddedHarness();
    runtime = await harness.open();
    await prepareRuntime(runtime, harness.config);
    serde = await AvroSerde.create(runtime.registry);
    publisher = new Publisher(runtime.log, serde, () => 0);
    // Someone else's order of the same day is already in the log.
    await publisher.publish(ORDERS, [
      pendingOrder({ order_id: 'ORD-20240102-007', symbol: 'DOGEUSDT', timestamp: at(0) }),
    ]);
  });
  afterAll(async () => {
    await runtime.close();
  });

  const publishSignals = (signals: MlSignal[]) => publisher.publish(ML_SIGNALS, signals, (s) => s.timestamp);

  const ordersInLog = async (): Promise<OrderEvent[]> => {
    const records = await runtime.log.read(ORDERS, 0, 0, 1_000);
    return Promise.all(records.map((r) => serde.decode(ORDERS, r.value)));
  };

  const start = async (
    portfolio: PortfolioSource,
    decisions: Decision[],
    decided: number[] = [],
  ): Promise<DecisionRunner> => {
    const runner = new DecisionRunner({
      log: runtime.log,
      serde,
      portfolio,
      settings: SETTINGS,
      logger: silentLogger,
      clock: recordClock((record) => record.timestamp),
      group,
      onDecision: (decidedSignal, decision) => {
        decisions.push(decision);
        decided.push(decidedSignal.timestamp);
      },
    });
    await runner.start();
    return runner;
  };

  it('decides signals into PENDING orders appended to crypto.orders, and resumes after a restart without repeating itself', async () => {
    const portfolio = new FixedPortfolio(cashOnly());
    const decisions: Decision[] = [];
    await publishSignals([
      signal({ timestamp: at(1) }),
      signal({ timestamp: at(1.5) }),
      signal({ symbol: 'ETHUSDT', confidence: 0.7, timestamp: at(2) }),
      signal({ symbol: 'ETHUSDT', model: 'svm', confidence: 0.65, timestamp: at(2.5) }),
    ]);
    const runner = await start(portfolio, decisions);
    await eventually(
      () => decisions.length,
      (n) => n === 4,
    );
    await eventually(ordersInLog, (orders) => orders.length === 3);
    await runner.stop();

    const orders = await ordersInLog();
    expect(orders.map((o) => [o.order_id, o.symbol, o.action, o.status, o.timestamp, o.quantity])).toEqual([
      ['ORD-20240102-007', 'DOGEUSDT', 'BUY', 'PENDING', at(0), 0.1],
      ['ORD-20240102-008', 'BTCUSDT', 'BUY', 'PENDING', at(1), 10],
      ['ORD-20240102-009', 'ETHUSDT', 'BUY', 'PENDING', at(2.5), 10],
    ]);
    expect(orders[1]?.metadata.created_by).toBe('decision-engine');
    expect(decisions.flatMap((d) => d.reasons.map((r) => r.reason)).sort()).toEqual([
      'ORDER_PENDING',
      'UNCONFIRMED',
    ]);
    expect([...portfolio.asked].sort((a, b) => a - b)).toEqual([at(1), at(1.5), at(2), at(2.5)]);

    // Restarted: it folds crypto.orders again (BTCUSDT's BUY still PENDING, ids up to 009) and
    // reads only the signals after its committed offsets.
    const after: Decision[] = [];
    const decidedAfter: number[] = [];
    await publishSignals([signal({ timestamp: at(3) }), signal({ symbol: 'SOLUSDT', timestamp: at(3.5) })]);
    const restarted = await start(new FixedPortfolio(cashOnly()), after, decidedAfter);
    await eventually(
      () => after.length,
      (n) => n === 2,
    );
    await eventually(ordersInLog, (all) => all.length === 4);
    await restarted.stop();
    expect(decidedAfter.sort((a, b) => a - b)).toEqual([at(3), at(3.5)]);
    expect(after.flatMap((d) => d.reasons.map((r) => r.reason))).toEqual(['ORDER_PENDING']);
    expect((await ordersInLog()).map((o) => o.order_id)).toEqual([
      'ORD-20240102-007',
      'ORD-20240102-008',
      'ORD-20240102-009',
      'ORD-20240102-010',
    ]);
  });
});
