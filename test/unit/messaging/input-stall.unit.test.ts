import { describe, expect, it } from 'vitest';
import { MARKET_DATA } from '../../../src/contracts/index.ts';
import { InputStall, streamClock, subscribeValidated } from '../../../src/messaging/index.ts';
import { prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { marketDataAt } from '../../support/messages.ts';
import { embeddedHarness, eventually, silentLogger, uniqueName } from '../../support/runtimes.ts';

describe('input stall (liveness of a consumer whose every record is dead-lettered)', () => {
  it('is a stall only while refusals span the limit and keep coming; one accepted record ends it', () => {
    let now = 0;
    const stall = new InputStall(1_000, () => now);
    stall.read(false);
    now = 900;
    stall.read(false);
    expect(stall.reason()).toBeUndefined();
    now = 1_100;
    stall.read(false);
    expect(stall.reason()).toMatch(/dead-lettered every record it read for 1 s \(3 records\)/);
    now = 2_000;
    expect(stall.reason()).toBeDefined();
    // Nothing more arrives: an idle consumer is not stuck.
    now = 2_200;
    expect(stall.reason()).toBeUndefined();
    now = 5_000;
    stall.read(false);
    now = 6_500;
    stall.read(false);
    expect(stall.reason()).toBeDefined();
    stall.read(true);
    expect(stall.reason()).toBeUndefined();
  });

  it('a subscription reports it while records keep coming and all are refused, and recovers', async () => {
    const harness = embeddedHarness();
    const runtime = await harness.open();
    try {
      await prepareRuntime(runtime, harness.config);
      const serde = await AvroSerde.create(runtime.registry);
      const append = (timestamp: number): Promise<unknown> => {
        const bar = marketDataAt(timestamp);
        return runtime.log.append([
          {
            topic: MARKET_DATA,
            records: [{ key: bar.symbol, value: serde.encode(MARKET_DATA, bar), timestamp }],
          },
        ]);
      };
      let handled = 0;
      const subscription = await subscribeValidated({
        log: runtime.log,
        serde,
        topic: MARKET_DATA,
        group: uniqueName('stall'),
        fromBeginning: true,
        clock: streamClock(),
        logger: silentLogger,
        stallAfterMs: 150,
        handler: (messages) => {
          handled += messages.length;
          return Promise.resolve();
        },
      });
      try {
        const now = Date.now();
        await append(now - 60_000);
        await eventually(
          () => handled,
          (n) => n === 1,
        );
        // A year-3000 bar every 30 ms: every one refused.
        const reason = await eventually(
          async () => {
            await append(Date.UTC(3000, 0, 1));
            await new Promise((resolve) => setTimeout(resolve, 30));
            return subscription.stalled();
          },
          (r) => r !== undefined,
          5_000,
        );
        expect(reason).toMatch(/dead-lettered every record/);
        await append(now);
        await eventually(
          () => subscription.stalled(),
          (r) => r === undefined,
        );
        expect(handled).toBe(2);
      } finally {
        await subscription.stop();
      }
    } finally {
      await runtime.close();
    }
  });
});
