import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PortfolioProjection } from '../../../projections/portfolio/portfolio-projection.ts';
import { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { MARKET_DATA, ORDERS } from '../../../src/contracts/index.ts';
import { Publisher } from '../../../src/messaging/index.ts';
import { openEmbeddedRuntime, prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { runCli } from '../../support/cli-process.ts';
import { marketDataAt, T0 } from '../../support/messages.ts';
import { silentLogger } from '../../support/runtimes.ts';

const MINUTE = 60_000;

/** A data directory whose bars (from 2023) the retention pass has deleted, as after an import of old history. */
async function expiredHistory(options: { orders?: boolean } = {}): Promise<string> {
  const config = loadConfig({ env: { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-expired-')) } });
  const runtime = openEmbeddedRuntime(config);
  await prepareRuntime(runtime, config);
  const publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
  await publisher.publish(
    MARKET_DATA,
    Array.from({ length: 300 }, (_, i) => marketDataAt(T0 + i * MINUTE, i % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT')),
    (bar) => bar.timestamp,
  );
  if (options.orders === true)
    await runtime.log.append([
      { topic: ORDERS, records: [{ key: 'ORD-1', value: Buffer.from('gone'), timestamp: T0, headers: {} }] },
    ]);
  expect(await runtime.log.enforceRetention(Date.now())).toBeGreaterThan(0);
  await runtime.close();
  return config.dataDir;
}

describe('a log whose first records retention deleted', () => {
  it('leaves no projection waiting forever for records that are gone', async () => {
    const dataDir = await expiredHistory();
    const runtime = openEmbeddedRuntime(loadConfig({ env: { CML_DATA_DIR: dataDir } }));
    const store = PortfolioStore.open(join(dataDir, 'projections', 'fresh'));
    const projection = new PortfolioProjection({
      log: runtime.log,
      serde: await AvroSerde.create(runtime.registry),
      store,
      initialCash: 10_000,
      logger: silentLogger,
    });
    await projection.start();
    expect(await projection.lag()).toBe(0);
    expect(await projection.caughtUp()).toBe(true);
    await projection.stop();
    await store.close();
    await runtime.close();
  });

  it(
    'rebuild ends, saying what retention deleted (it hung with no output)',
    { timeout: 60_000 },
    async () => {
      const dataDir = await expiredHistory();
      const outcome = await runCli(['rebuild'], { CML_DATA_DIR: dataDir });
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(outcome.stdout).toContain('note: retention deleted the first 300 records of crypto.market_data');
      expect(outcome.stdout).toMatch(/rebuilt store .*: hash (\w+)\ndirect fold: +hash \1/);
    },
  );

  it('rebuild refuses an order log whose first events are gone, instead of hashing something else', async () => {
    const dataDir = await expiredHistory({ orders: true });
    const outcome = await runCli(['rebuild'], { CML_DATA_DIR: dataDir });
    expect(outcome.signal).toBeNull();
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('CML_LOG_INCOMPLETE');
    expect(outcome.stderr).toContain('no longer holds its first 1 order events');
    expect(outcome.stderr).toContain('do not drop it');
  });
});
