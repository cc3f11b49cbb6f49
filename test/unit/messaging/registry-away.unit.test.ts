import { describe, expect, it } from 'vitest';
import { deadLetterTopicOf, MARKET_DATA, type MarketData } from '../../../src/contracts/index.ts';
import { CmlError, ErrorCodes } from '../../../src/errors/index.ts';
import { Publisher, streamClock, subscribeValidated } from '../../../src/messaging/index.ts';
import { prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { marketDataAt } from '../../support/messages.ts';
import { embeddedHarness, eventually, silentLogger, uniqueName } from '../../support/runtimes.ts';

describe('a consumer while the schema registry is away', () => {
  it('retries the batch instead of dead-lettering valid records (regression), and carries on', async () => {
    const harness = embeddedHarness();
    const runtime = await harness.open();
    try {
      await prepareRuntime(runtime, harness.config);
      const serde = await AvroSerde.create(runtime.registry);
      const bar = marketDataAt(Date.now() - 60_000);
      await new Publisher(runtime.log, serde).publish(MARKET_DATA, [bar]);
      let outages = 2;
      const flaky = Object.create(serde, {
        decode: {
          value: (...args: Parameters<AvroSerde['decode']>) => {
            if (outages-- > 0)
              return Promise.reject(
                new CmlError(ErrorCodes.REGISTRY_UNAVAILABLE, 'registry away', { canRetry: true }),
              );
            return serde.decode(...args);
          },
        },
      }) as AvroSerde;
      const seen: MarketData[] = [];
      const subscription = await subscribeValidated({
        log: runtime.log,
        serde: flaky,
        topic: MARKET_DATA,
        group: uniqueName('registry-away'),
        fromBeginning: true,
        clock: streamClock(),
        logger: silentLogger,
        handler: (messages) => {
          seen.push(...messages.map((m) => m.value));
          return Promise.resolve();
        },
      });
      await eventually(
        () => seen.length,
        (n) => n === 1,
        10_000,
      );
      await subscription.stop();
      expect(seen[0]).toEqual(bar);
      expect(outages).toBeLessThan(0);
      const dlq = await runtime.log.endOffsets(deadLetterTopicOf(MARKET_DATA));
      expect([...dlq.values()].reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await runtime.close();
    }
  });
});
