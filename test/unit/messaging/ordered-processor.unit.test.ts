import { describe, expect, it } from 'vitest';
import { MARKET_DATA } from '../../../src/contracts/index.ts';
import { groupPassed, OrderedProcessor, Publisher } from '../../../src/messaging/index.ts';
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

  it('stops within a bound over a backlog, and the next start steps the rest (regression: stop waited for the whole backlog)', async () => {
    const harness = embeddedHarness();
    const runtime = await harness.open();
    try {
      await prepareRuntime(runtime, harness.config);
      const serde = await AvroSerde.create(runtime.registry);
      const base = Date.now() - 3_000 * 60_000;
      const bars = Array.from({ length: 2_000 }, (_, n) => marketDataAt(base + n * 60_000));
      await new Publisher(runtime.log, serde).publish(MARKET_DATA, bars, (bar) => bar.timestamp);
      const group = uniqueName('ordered');
      const stepped: number[] = [];
      const processor = () =>
        new OrderedProcessor({
          log: runtime.log,
          serde,
          logger: silentLogger,
          topic: MARKET_DATA,
          group,
          pollMs: 5,
          // 5 ms a step: the backlog takes 10 s.
          step: async ({ value }) => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            stepped.push(value.timestamp);
            return { append: [] };
          },
        });
      const first = processor();
      await first.start();
      await eventually(
        () => stepped.length,
        (n) => n >= 10,
        10_000,
      );
      const stopping = Date.now();
      await first.stop();
      expect(Date.now() - stopping).toBeLessThan(1_000);
      expect(stepped.length).toBeLessThan(bars.length);

      const second = processor();
      await second.start();
      await eventually(
        () => stepped.length,
        (n) => n >= bars.length,
        30_000,
      );
      await second.stop();
      expect(stepped).toEqual(bars.map((bar) => bar.timestamp));
    } finally {
      await runtime.close();
    }
  }, 60_000);
});

describe('a step waiting for another stage on the embedded log', () => {
  it("wakes at the other group's commit, not at its next poll (regression: replays waited a poll per decision)", async () => {
    const harness = embeddedHarness();
    const runtime = await harness.open();
    try {
      await prepareRuntime(runtime, harness.config);
      const serde = await AvroSerde.create(runtime.registry);
      const time = Date.now() - 60_000;
      await new Publisher(runtime.log, serde).publish(
        MARKET_DATA,
        [marketDataAt(time)],
        (bar) => bar.timestamp,
      );
      const other = uniqueName('other');
      let stepped = false;
      const processor = new OrderedProcessor({
        log: runtime.log,
        serde,
        logger: silentLogger,
        topic: MARKET_DATA,
        group: uniqueName('waiting'),
        // Polled, the wait below would outlast the test's timeout: only a wake-up ends it in time.
        pollMs: 600_000,
        step: async (_message, control) => {
          while (!(await groupPassed(runtime.log, other, MARKET_DATA, time + 1))) {
            if (!control.running()) return undefined;
            await control.wait(600_000);
          }
          stepped = true;
          return { append: [] };
        },
      });
      await processor.start();
      const partitions = await runtime.log.partitionCount(MARKET_DATA);
      const offsets = new Map(Array.from({ length: partitions }, (_, p) => [p, 0] as const));
      const lastTimes = new Map(Array.from({ length: partitions }, (_, p) => [p, time + 1] as const));
      await runtime.log.append([], { group: other, topic: MARKET_DATA, offsets, lastTimes });
      await eventually(
        () => stepped,
        (done) => done,
        5_000,
      );
      await processor.stop();
      expect(stepped).toBe(true);
    } finally {
      await runtime.close();
    }
  });
});
