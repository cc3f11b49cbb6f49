import { describe, expect, it } from 'vitest';
import { MARKET_DATA } from '../../../src/contracts/index.ts';
import { OrderedProcessor, Publisher } from '../../../src/messaging/index.ts';
import { prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { marketDataAt } from '../../support/messages.ts';
import { embeddedHarness, eventually, silentLogger, uniqueName } from '../../support/runtimes.ts';

describe('the ordered processor', () => {
  it('steps every message once, in order, when a step fails midway (regression: the rest of the release was lost)', async () => {
    const harness = embeddedHarness();
    const runtime = await harness.open();
    try {
      await prepareRuntime(runtime, harness.config);
      const serde = await AvroSerde.create(runtime.registry);
      const base = Date.now() - 10 * 60_000;
      const bars = Array.from({ length: 6 }, (_, n) => marketDataAt(base + n * 60_000));
      await new Publisher(runtime.log, serde).publish(MARKET_DATA, bars, (bar) => bar.timestamp);
      const stepped: number[] = [];
      let failures = 1;
      const processor = new OrderedProcessor({
        log: runtime.log,
        serde,
        logger: silentLogger,
        topic: MARKET_DATA,
        group: uniqueName('ordered'),
        pollMs: 5,
        step: ({ value }) => {
          // The third bar fails once, as an append does while the broker restarts.
          if (value.timestamp === base + 2 * 60_000 && failures-- > 0)
            return Promise.reject(new Error('broker away'));
          stepped.push(value.timestamp);
          return Promise.resolve({ append: [] });
        },
      });
      await processor.start();
      await eventually(
        () => stepped.length,
        (n) => n >= 6,
        10_000,
      );
      await processor.stop();
      expect(stepped).toEqual(bars.map((bar) => bar.timestamp));
    } finally {
      await runtime.close();
    }
  });
});
