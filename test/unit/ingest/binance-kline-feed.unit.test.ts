import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MarketData } from '../../../src/contracts/index.ts';
import { BinanceKlineFeed } from '../../../src/ingest/binance/binance-kline-feed.ts';
import {
  parseKlineEvent,
  parseRestKline,
  parseTicker,
} from '../../../src/ingest/binance/binance-payloads.ts';
import { BinanceRest } from '../../../src/ingest/binance/binance-rest.ts';
import { BinanceTickerPoller } from '../../../src/ingest/binance/binance-ticker-poller.ts';
import { Publisher } from '../../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { FakeBinance, type FakeCandle } from '../../support/fake-binance.ts';
import { barsOf } from '../../support/market-data-log.ts';
import { embeddedHarness, eventually, silentLogger } from '../../support/runtimes.ts';

const FIVE_MINUTES = 300_000;
const candles: FakeCandle[] = readFileSync(
  fileURLToPath(new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url)),
  'utf8',
)
  .trim()
  .split('\n')
  .slice(1, 61)
  .map((line) => {
    const [openTime, open, high, low, close, volume] = line.split(',').map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return { openTime, open, high, low, close, volume };
  });
const barOf = (c: FakeCandle): MarketData => ({
  symbol: 'BTCUSDT',
  timestamp: c.openTime,
  price: c.close,
  open: c.open,
  high: c.high,
  low: c.low,
  volume: c.volume,
  price_change_pct: ((c.close - c.open) / c.open) * 100,
});
/** The clock just after candle `i` closed. */
const afterClose = (i: number): number => (candles[i] as FakeCandle).openTime + FIVE_MINUTES + 1;

describe('Binance payloads', () => {
  it('parses a combined-stream kline event, a REST kline row and a 24 h ticker', () => {
    const fake = new FakeBinance('BTCUSDT', FIVE_MINUTES, candles);
    const event = parseKlineEvent(fake.klineFrame(0));
    expect(event).toMatchObject({ ok: true, value: { bar: barOf(candles[0] as FakeCandle), closed: true } });
    expect(
      parseRestKline('BTCUSDT', [1, '1', '2', '0.5', '1.5', '10', 299_999, '0', 1, '0', '0', '0']),
    ).toMatchObject({
      ok: true,
      value: {
        bar: { timestamp: 1, open: 1, high: 2, low: 0.5, price: 1.5, volume: 10, price_change_pct: 50 },
      },
    });
    expect(
      parseTicker({
        symbol: 'ETHUSDT',
        openPrice: '100',
        highPrice: '110',
        lowPrice: '90',
        lastPrice: '105',
        volume: '5',
        priceChangePercent: '5.000',
        closeTime: 1_700_000_000_000,
      }),
    ).toMatchObject({
      ok: true,
      value: { symbol: 'ETHUSDT', price: 105, price_change_pct: 5, timestamp: 1_700_000_000_000 },
    });
    expect(parseKlineEvent('{"e":"kline"')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseKlineEvent('{"e":"trade","p":"1"}')).toEqual({ ok: false, reason: 'not a kline event' });
    expect(parseKlineEvent(fake.klineFrame(0).replace(/"o":"[^"]+"/, '"o":"abc"'))).toEqual({
      ok: false,
      reason: 'open is not a number',
    });
  });
});

describe('the Binance kline feed against a local fake Binance', () => {
  let fake: FakeBinance;
  let runtime: Runtime;
  let publisher: Publisher;
  let urls: { restUrl: string; wsUrl: string };
  let clock: number;
  let stop: AbortController;

  beforeEach(async () => {
    stop = new AbortController();
    fake = new FakeBinance('BTCUSDT', FIVE_MINUTES, candles);
    urls = await fake.start();
    const harness = embeddedHarness();
    runtime = await harness.open();
    await prepareRuntime(runtime, harness.config);
    publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
  });
  afterEach(async () => {
    stop.abort();
    await fake.stop();
    await runtime.close();
  });

  it(
    'publishes every bar once across duplicates, late and malformed frames, a gap and a forced disconnect with 429s',
    { timeout: 30_000 },
    async () => {
      // The log already has the first 10 bars; the feed starts when bar 11 has just closed.
      await publisher.publish('crypto.market_data', candles.slice(0, 10).map(barOf), (bar) => bar.timestamp);
      clock = afterClose(11);
      const rest = new BinanceRest({ baseUrl: urls.restUrl, logger: silentLogger });
      const feed = new BinanceKlineFeed({
        wsUrl: urls.wsUrl,
        rest,
        symbols: ['BTCUSDT'],
        interval: '5m',
        log: runtime.log,
        publisher,
        logger: silentLogger,
        now: () => clock,
        maxBackoffMs: 100,
      });
      const running = feed.run(stop.signal);
      /** Sends a frame at a clock time and waits until the feed has received it. */
      const deliver = async (frame: string, at: number): Promise<void> => {
        clock = at;
        const before = feed.stats.frames;
        fake.send(frame);
        await eventually(
          () => feed.stats.frames,
          (n) => n > before,
          5_000,
        );
      };
      const published = (n: number): Promise<unknown> =>
        eventually(
          () => feed.stats.published + feed.stats.backfilled,
          (count) => count >= n,
          15_000,
        );

      await fake.connected();
      await published(2); // bars 10 and 11 from the REST API at start-up
      await deliver(fake.klineFrame(12), afterClose(12));
      await deliver(fake.klineFrame(13), afterClose(13));
      await deliver(fake.klineFrame(13), afterClose(13)); // a repeat
      await deliver(fake.klineFrame(14, false), afterClose(13)); // still forming: not a bar yet
      await deliver('{"stream":"btcusdt@kline_5m","data":{"e":"kline","k":', afterClose(13)); // garbled
      await deliver(fake.klineFrame(14), afterClose(14));
      await deliver(fake.klineFrame(13), afterClose(14) - 2); // late, out of order, yet within 5 minutes
      await deliver(fake.klineFrame(16), afterClose(16)); // 15 was lost: filled from REST first
      await published(7);

      // The connection drops; while it is down bars 17..24 close; the REST API rate-limits twice.
      fake.rateLimitNext = { calls: 2, retryAfterS: 1 };
      fake.dropConnections();
      clock = afterClose(24);
      await eventually(
        () => fake.sockets.size,
        (n) => n === 0,
        5_000,
      );
      await fake.connected();
      await published(15);
      for (const i of [25, 26, 27]) await deliver(fake.klineFrame(i), afterClose(i));
      await published(18);
      stop.abort();
      await running;

      const bars = await barsOf(runtime, 'BTCUSDT');
      expect(bars).toEqual(candles.slice(0, 28).map(barOf));
      expect(feed.stats).toMatchObject({
        published: 7,
        backfilled: 11,
        duplicates: 2,
        malformed: 1,
        stale: 0,
      });
      expect(feed.stats.reconnects).toBeGreaterThanOrEqual(1);
      expect(fake.restCalls.length).toBeGreaterThanOrEqual(5);
    },
  );

  it('rejects a kline event delivered more than 5 minutes late', async () => {
    clock = afterClose(3) + 6 * 60_000;
    const feed = new BinanceKlineFeed({
      wsUrl: urls.wsUrl,
      rest: new BinanceRest({ baseUrl: urls.restUrl, logger: silentLogger }),
      symbols: ['BTCUSDT'],
      interval: '5m',
      log: runtime.log,
      publisher,
      logger: silentLogger,
      now: () => clock,
    });
    const running = feed.run(stop.signal);
    await fake.connected();
    fake.send(fake.klineFrame(3));
    await eventually(
      () => feed.stats.stale,
      (n) => n === 1,
      5_000,
    );
    stop.abort();
    await running;
    expect(await barsOf(runtime, 'BTCUSDT')).toEqual([]);
  });

  it('falls back to polling the 24 h tickers over REST, publishing each new snapshot once', async () => {
    const now = 1_700_000_000_000;
    const ticker = (symbol: string, closeTime: number, last: string): unknown => ({
      symbol,
      priceChange: '1',
      priceChangePercent: '1.5',
      weightedAvgPrice: '100',
      prevClosePrice: '99',
      lastPrice: last,
      lastQty: '1',
      bidPrice: '99',
      bidQty: '1',
      askPrice: '101',
      askQty: '1',
      openPrice: '99',
      highPrice: '102',
      lowPrice: '98',
      volume: '1234.5',
      quoteVolume: '1',
      openTime: closeTime - 86_400_000,
      closeTime,
      firstId: 1,
      lastId: 2,
      count: 2,
    });
    const poller = new BinanceTickerPoller({
      rest: new BinanceRest({ baseUrl: urls.restUrl, logger: silentLogger }),
      symbols: ['BTCUSDT', 'ETHUSDT'],
      publisher,
      logger: silentLogger,
      pollMs: 10,
      now: () => now,
    });
    fake.tickers = [ticker('BTCUSDT', now - 1_000, '100'), ticker('ETHUSDT', now - 1_000, '101')];
    await poller.pollOnce();
    await poller.pollOnce();
    fake.tickers = [ticker('BTCUSDT', now, '100.5'), ticker('ETHUSDT', now - 1_000, '101')];
    await poller.pollOnce();
    expect(poller.stats).toEqual({ polls: 3, published: 3, unchanged: 3 });
    expect((await barsOf(runtime, 'BTCUSDT')).map((b) => [b.timestamp, b.price, b.price_change_pct])).toEqual(
      [
        [now - 1_000, 100, 1.5],
        [now, 100.5, 1.5],
      ],
    );
    expect(fake.restCalls.at(-1)).toContain('symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D');
  });
});
