import { afterEach, describe, expect, it, vi } from 'vitest';
import { MARKET_DATA, type MarketData } from '../../../src/contracts/index.ts';
import type { Config } from '../../../src/config/index.ts';
import { createMetrics } from '../../../src/api/index.ts';
import { serveApi, type ServedApi } from '../../../src/pipeline/serve-api.ts';
import { startServices, type Services } from '../../../src/pipeline/services.ts';
import { prepareRuntime, type Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { barAt } from '../../fuzz/topic-specs.ts';
import { embeddedHarness, eventually, silentLogger } from '../../support/runtimes.ts';
import { trainSmallModels } from '../signals/trained-models.ts';

/**
 * Issue 15: while every new bar was dead-lettered, /health and /ready stayed green. Now a
 * processor whose every record read has been dead-lettered for 60 s, while records keep coming,
 * turns /health red, named with the reason; the next accepted record turns it green again. The
 * wall clock is faked (Date only), so a minute passes in a moment.
 */
const modelsDir = trainSmallModels([{ model: 'logistic_regression', target: 'trend' }]);

interface Health {
  status: string;
  processors: { name: string; stuck: boolean; reason?: string }[];
}

let runtime: Runtime | undefined;
let services: Services | undefined;
let api: ServedApi | undefined;
afterEach(async () => {
  await api?.close();
  await services?.stop();
  await runtime?.close();
  vi.useRealTimers();
});

describe('/health while a processor dead-letters everything it reads (regression, issue 15)', () => {
  it(
    'is 503 naming the processors and why, and 200 again after the next good bar',
    { timeout: 60_000 },
    async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      let now = Date.UTC(2026, 10, 30, 12);
      vi.setSystemTime(now);
      const harness = embeddedHarness();
      const config: Config = {
        ...harness.config,
        api: { ...harness.config.api, port: 0 },
        ml: { ...harness.config.ml, models: ['logistic_regression:trend'], modelsDir },
      };
      runtime = await harness.open();
      await prepareRuntime(runtime, config);
      const serde = await AvroSerde.create(runtime.registry);
      const metrics = createMetrics();
      services = await startServices({
        config,
        runtime,
        serde,
        logger: silentLogger,
        services: ['projections', 'signals', 'decision', 'exchange'],
        clock: 'stream',
        metrics,
      });
      api = await serveApi({ config, runtime, serde, logger: silentLogger, services, metrics });
      const app = api.app;
      const log = runtime.log;
      const append = (bar: MarketData): Promise<unknown> =>
        log.append([
          {
            topic: MARKET_DATA,
            records: [{ key: bar.symbol, value: serde.encode(MARKET_DATA, bar), timestamp: bar.timestamp }],
          },
        ]);
      const health = async (): Promise<[number, Health]> => {
        const response = await app.inject({ url: '/health' });
        return [response.statusCode, response.json<Health>()];
      };
      const running = services;
      const candles = (): number =>
        running.candles?.store.candles({ symbol: 'BTCUSDT', from: 0, limit: 100 }).length ?? 0;

      await append(barAt(0));
      await eventually(candles, (n) => n === 1);
      expect((await health())[0]).toBe(200);

      // A BTCUSDT bar from the year 3000 every 10 s for 70 s: every one dead-lettered.
      for (let i = 0; i < 8; i++) {
        await append({ ...barAt(2), timestamp: Date.UTC(3000, 0, 1) + i * 60_000 });
        const deadLetters = async (): Promise<number> =>
          (await log.endOffsets(`${MARKET_DATA}.dlq`)).get(0) ?? 0;
        await eventually(deadLetters, (n) => n >= 5 * (i + 1));
        now += 10_000;
        vi.setSystemTime(now);
      }
      const [status, body] = await health();
      expect(status).toBe(503);
      const stuck = body.processors.filter((p) => p.stuck).map((p) => p.name);
      expect(stuck).toEqual(
        expect.arrayContaining(['candles', 'portfolio', 'signals-processor', 'exchange']),
      );
      expect(stuck).not.toContain('decision');
      for (const p of body.processors.filter((p) => p.stuck))
        expect(p.reason).toMatch(/^dead-lettered every record it read for 70 s \(8 records\)/);

      await append(barAt(4));
      await eventually(candles, (n) => n === 2);
      await eventually(
        async () => (await health())[0],
        (code) => code === 200,
      );
    },
  );
});
