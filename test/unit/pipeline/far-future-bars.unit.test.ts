import { afterEach, describe, expect, it } from 'vitest';
import { MARKET_DATA, type MarketData } from '../../../src/contracts/index.ts';
import type { Config } from '../../../src/config/index.ts';
import { DeadLetterHeaders, Publisher } from '../../../src/messaging/index.ts';
import { startServices, type Services } from '../../../src/pipeline/services.ts';
import { prepareRuntime, type Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { readDeadLetters } from '../../fuzz/dead-letters.ts';
import { barAt } from '../../fuzz/topic-specs.ts';
import { embeddedHarness, eventually, silentLogger } from '../../support/runtimes.ts';
import { trainSmallModels } from '../signals/trained-models.ts';

/**
 * Issue 15: with the pipeline running, three bars dated in the year 3000 reached crypto.market_data
 * (an import, a clock bug, a garbled frame that still parses). They moved every stream clock of
 * their partition, so each later bar was dead-lettered as "30707628600 s old" and no candle or
 * order came again, while /health stayed green. Now they are dead-lettered, the clocks stay, and
 * the bars after them flow.
 */
const modelsDir = trainSmallModels([{ model: 'logistic_regression', target: 'trend' }]);
const YEAR_3000 = Date.UTC(3000, 0, 1);
const BEFORE = 40;
const AFTER = 40;

let runtime: Runtime | undefined;
let services: Services | undefined;
afterEach(async () => {
  await services?.stop();
  await runtime?.close();
  services = undefined;
  runtime = undefined;
});

const candleCount = (s: Services): number =>
  ['BTCUSDT', 'ETHUSDT']
    .map((symbol) => s.candles?.store.candles({ symbol, from: 0, limit: 10_000 }).length ?? 0)
    .reduce((a, b) => a + b, 0);

describe('bars from the far future while the pipeline runs (regression, issue 15)', () => {
  it(
    'are dead-lettered by every reader, and the bars after them keep flowing',
    { timeout: 60_000 },
    async () => {
      const harness = embeddedHarness();
      const config: Config = {
        ...harness.config,
        ml: { ...harness.config.ml, models: ['logistic_regression:trend'], modelsDir },
      };
      runtime = await harness.open();
      await prepareRuntime(runtime, config);
      const serde = await AvroSerde.create(runtime.registry);
      const publisher = new Publisher(runtime.log, serde);
      const publish = (bars: MarketData[]): Promise<unknown> =>
        publisher.publish(MARKET_DATA, bars, (bar) => bar.timestamp);
      services = await startServices({
        config,
        runtime,
        serde,
        logger: silentLogger,
        services: ['projections', 'signals', 'decision', 'exchange'],
        clock: 'stream',
      });
      const running = services;
      await publish(Array.from({ length: BEFORE }, (_, i) => barAt(i)));
      await eventually(
        () => candleCount(running),
        (n) => n === BEFORE,
      );

      const future = [0, 1, 2].map((i) => ({ ...barAt(BEFORE + i), timestamp: YEAR_3000 + i * 60_000 }));
      await publish(future);
      await publish(Array.from({ length: AFTER }, (_, i) => barAt(BEFORE + 3 + i)));

      await eventually(
        async () => ({ candles: candleCount(running), caughtUp: await running.caughtUp() }),
        (s) => s.caughtUp && s.candles === BEFORE + AFTER,
        30_000,
      );
      expect(running.exchange?.runner.barsSettled).toBe(BEFORE + AFTER);
      expect(running.signals?.stats().bars).toBe(BEFORE + AFTER);

      const letters = await readDeadLetters(runtime.log, MARKET_DATA);
      const groups = new Set(letters.map((l) => l.headers[DeadLetterHeaders.consumer]));
      // Every reader of crypto.market_data refused the three, and only them.
      expect(groups.size).toBe(5);
      expect(letters).toHaveLength(3 * groups.size);
      for (const letter of letters) {
        expect(Number(letter.headers[DeadLetterHeaders.timestamp])).toBeGreaterThanOrEqual(YEAR_3000);
        expect(letter.headers[DeadLetterHeaders.reason]).toMatch(/past the latest believable time/);
      }
      expect(running.candles?.projection.stuck()).toBe(false);
      expect(running.signals?.stuck()).toBe(false);
    },
  );
});
