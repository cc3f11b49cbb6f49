import { afterAll, describe, expect, it } from 'vitest';
import { BinanceKlineFeed } from '../../../src/ingest/binance/binance-kline-feed.ts';
import { parseKlineEvent } from '../../../src/ingest/binance/binance-payloads.ts';
import { BinanceRest } from '../../../src/ingest/binance/binance-rest.ts';
import { Publisher } from '../../../src/messaging/index.ts';
import { prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { FakeBinance } from '../../support/fake-binance.ts';
import { barsOf } from '../../support/market-data-log.ts';
import { embeddedHarness, eventually, silentLogger } from '../../support/runtimes.ts';

/**
 * Found by the frame fuzzer: the WebSocket frame `null` is valid JSON, and the kline parser read
 * a field of it, throwing inside the socket's message handler (an uncaught exception: the
 * process would die on one bad frame).
 */
const crashes: unknown[] = [];
const onCrash = (error: unknown): void => void crashes.push(error);
process.on('uncaughtException', onCrash);
afterAll(() => process.off('uncaughtException', onCrash));

const T = Date.UTC(2023, 0, 2);
const candle = { openTime: T, open: 100, high: 110, low: 90, close: 105, volume: 5 };

describe('regression: a JSON null frame from Binance', () => {
  it('is a malformed frame, not an exception', () => {
    for (const frame of ['null', '{"data":null}', '{"stream":"x","data":null}'])
      expect(parseKlineEvent(frame)).toEqual({ ok: false, reason: 'not a kline event' });
  });

  it('is skipped by the feed, which publishes the next valid bar', async () => {
    const fake = new FakeBinance('BTCUSDT', 300_000, [candle]);
    const urls = await fake.start();
    const harness = embeddedHarness();
    const runtime = await harness.open();
    const stop = new AbortController();
    try {
      await prepareRuntime(runtime, harness.config);
      const feed = new BinanceKlineFeed({
        wsUrl: urls.wsUrl,
        rest: new BinanceRest({ baseUrl: urls.restUrl, logger: silentLogger }),
        symbols: ['BTCUSDT'],
        interval: '5m',
        log: runtime.log,
        publisher: new Publisher(runtime.log, await AvroSerde.create(runtime.registry)),
        logger: silentLogger,
        now: () => T + 300_001,
        maxBackoffMs: 100,
      });
      const running = feed.run(stop.signal);
      await fake.connected();
      fake.send('null');
      fake.send(fake.klineFrame(0));
      await eventually(
        () => feed.stats.published,
        (n) => n === 1,
        5_000,
      );
      stop.abort();
      await running;
      expect(feed.stats).toMatchObject({ frames: 2, malformed: 1, published: 1, reconnects: 0 });
      expect((await barsOf(runtime, 'BTCUSDT')).map((b) => b.timestamp)).toEqual([T]);
      expect(crashes).toEqual([]);
    } finally {
      stop.abort();
      await fake.stop();
      await runtime.close();
    }
  });
});
