import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MARKET_DATA, ORDERS } from '../../src/contracts/index.ts';
import { Publisher } from '../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { PortfolioProjection } from '../../projections/portfolio/portfolio-projection.ts';
import { PortfolioStore } from '../../projections/portfolio/portfolio-store.ts';
import { rebuildPortfolio } from '../../projections/portfolio/rebuild-portfolio.ts';
import { portfolioStateHash } from '../../projections/portfolio/state-hash.ts';
import { stepExchange } from '../../streams/exchange/exchange-decide.ts';
import { DEFAULT_EXCHANGE_SETTINGS, initialExchangeState } from '../../streams/exchange/exchange-state.ts';
import { script } from '../support/exchange-script.ts';
import { eventually, silentLogger, type RuntimeHarness } from '../support/runtimes.ts';

/**
 * The portfolio projection on a runtime: the scripted market's order log and bars, as the
 * exchange would have written them, folded live, resumed after a restart, and rebuilt.
 */
export function describePortfolioProjection(harness: () => RuntimeHarness): void {
  let h: RuntimeHarness;
  let runtime: Runtime;
  let serde: AvroSerde;
  const storeDir = (): string => mkdtempSync(join(tmpdir(), 'cml-portfolio-'));

  beforeAll(async () => {
    h = harness();
    runtime = await h.open();
    await prepareRuntime(runtime, h.config);
    serde = await AvroSerde.create(runtime.registry);
    // The log of the scripted market: each bar, then what the exchange appended on it.
    const publisher = new Publisher(runtime.log, serde, () => 0);
    let exchange = initialExchangeState(DEFAULT_EXCHANGE_SETTINGS);
    for (const input of script()) {
      const step = stepExchange(exchange, input, DEFAULT_EXCHANGE_SETTINGS);
      exchange = step.state;
      if (input.kind === 'bar') await publisher.publish(MARKET_DATA, [input.bar], (bar) => bar.timestamp);
      else await publisher.publish(ORDERS, [input.event]);
      if (step.emitted.length > 0) await publisher.publish(ORDERS, step.emitted);
    }
  });
  afterAll(async () => {
    await runtime.close();
  });

  const runUntilCaughtUp = async (store: PortfolioStore): Promise<PortfolioProjection> => {
    const projection = new PortfolioProjection({
      log: runtime.log,
      serde,
      store,
      initialCash: 10_000,
      logger: silentLogger,
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
    const projection = await runUntilCaughtUp(store);
    const live = projection.current();
    await projection.stop();
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

    const rebuilt = await rebuildPortfolio(runtime.log, serde, 10_000);
    expect(rebuilt.hash).toBe(portfolioStateHash(live));
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
}
