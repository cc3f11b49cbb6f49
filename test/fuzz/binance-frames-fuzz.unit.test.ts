import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MarketData } from '../../src/contracts/index.ts';
import { BinanceKlineFeed } from '../../src/ingest/binance/binance-kline-feed.ts';
import { parseKlineEvent } from '../../src/ingest/binance/binance-payloads.ts';
import { BinanceRest } from '../../src/ingest/binance/binance-rest.ts';
import { Publisher } from '../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { FakeBinance, type FakeCandle } from '../support/fake-binance.ts';
import { barsOf } from '../support/market-data-log.ts';
import { embeddedHarness, eventually, silentLogger } from '../support/runtimes.ts';
import { HUGE_BYTES } from './fuzz-cases.ts';
import { SeededRandom, fuzzSeed } from './seeded-random.ts';

const FIVE_MINUTES = 300_000;
const CANDLES = 30;
const candles: FakeCandle[] = readFileSync(
  fileURLToPath(new URL('../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url)),
  'utf8',
)
  .trim()
  .split('\n')
  .slice(1, CANDLES + 1)
  .map((line) => {
    const [openTime, open, high, low, close, volume] = line.split(',').map(Number);
    return { openTime, open, high, low, close, volume } as FakeCandle;
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
const afterClose = (i: number): number => (candles[i] as FakeCandle).openTime + FIVE_MINUTES + 1;

/** Garbled frames about one candle: `parses` says whether the payload parser accepts the shape. */
type Garble = (frame: string, random: SeededRandom) => { frame: string; parses: boolean };
const GARBLES: Readonly<Record<string, Garble>> = {
  'json-null': () => ({ frame: 'null', parses: false }),
  'random-bytes': (_, r) => ({ frame: r.bytes(r.int(1, 300)).toString('utf8'), parses: false }),
  truncated: (f, r) => ({ frame: f.slice(0, r.int(0, f.length - 2)), parses: false }),
  'not-a-kline': (_, r) => ({
    frame: r.pick(['[1,2,3]', '42', '"kline"', '{"e":"trade","p":"1"}', '{}']),
    parses: false,
  }),
  'nan-price': (f) => ({ frame: f.replace(/"o":"[^"]+"/, '"o":"NaN"'), parses: false }),
  'infinite-price': (f) => ({ frame: f.replace(/"h":"[^"]+"/, '"h":"Infinity"'), parses: false }),
  'huge-900kb': (_, r) => ({
    frame: `{"stream":"btcusdt@kline_5m","data":{"e":"kline","k":"${r.bytes(HUGE_BYTES / 2).toString('hex')}`,
    parses: false,
  }),
  // These parse, and the contract refuses them when they are published.
  'negative-price': (f) => ({ frame: f.replace(/"l":"[^"]+"/, '"l":"-1"'), parses: true }),
  'bad-symbol': (f) => ({ frame: f.replace(/"s":"BTCUSDT"/g, '"s":"btc"'), parses: true }),
};

const crashes: unknown[] = [];
const onCrash = (error: unknown): void => void crashes.push(error);
process.on('uncaughtException', onCrash);
afterAll(() => process.off('uncaughtException', onCrash));

describe('garbled Binance frames between valid ones', () => {
  let fake: FakeBinance;
  let runtime: Runtime;
  let publisher: Publisher;
  let stop: AbortController;

  beforeEach(async () => {
    stop = new AbortController();
    fake = new FakeBinance('BTCUSDT', FIVE_MINUTES, candles);
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
    'drops every garbled frame with a log, publishes every valid bar once, and keeps running',
    { timeout: 60_000 },
    async () => {
      const urls = await fake.start();
      const random = new SeededRandom(fuzzSeed(7));
      let clock = afterClose(0);
      const warnings: string[] = [];
      const logger = silentLogger.child({});
      logger.warn = (obj: unknown, msg?: string) => void warnings.push(msg ?? String(obj));
      const feed = new BinanceKlineFeed({
        wsUrl: urls.wsUrl,
        rest: new BinanceRest({ baseUrl: urls.restUrl, logger: silentLogger }),
        symbols: ['BTCUSDT'],
        interval: '5m',
        log: runtime.log,
        publisher,
        logger,
        now: () => clock,
        maxBackoffMs: 100,
      });
      const running = feed.run(stop.signal);
      await fake.connected();
      const deliver = async (frame: string): Promise<void> => {
        const before = feed.stats.frames;
        fake.send(frame);
        await eventually(
          () => feed.stats.frames,
          (n) => n > before,
          5_000,
        );
      };
      const sent = { valid: 0, garbled: 0, unparseable: 0 };
      const names = Object.keys(GARBLES);
      for (let i = 0; i < CANDLES; i++) {
        clock = afterClose(i);
        const valid = fake.klineFrame(i);
        for (let n = random.int(0, 3); n > 0; n--) {
          const name = i === 0 && n === 1 ? 'json-null' : random.pick(names);
          const garbled = (GARBLES[name] as Garble)(valid, random);
          expect(parseKlineEvent(garbled.frame).ok, name).toBe(garbled.parses);
          await deliver(garbled.frame);
          sent.garbled++;
          if (!garbled.parses) sent.unparseable++;
        }
        await deliver(valid);
        sent.valid++;
        await eventually(
          () => feed.stats.published + feed.stats.backfilled,
          (n) => n >= i + 1,
          10_000,
        );
      }
      stop.abort();
      await running;
      expect(await barsOf(runtime, 'BTCUSDT')).toEqual(candles.map(barOf));
      expect(feed.stats.malformed).toBe(sent.unparseable);
      expect(warnings.filter((w) => w === 'skipped a malformed Binance frame')).toHaveLength(
        sent.unparseable,
      );
      expect(feed.stats.reconnects).toBe(0);
      expect(crashes).toEqual([]);
      console.info(
        `binance fuzz ${JSON.stringify({ ...sent, published: feed.stats.published, backfilled: feed.stats.backfilled, malformed: feed.stats.malformed, crashes: crashes.length })}`,
      );
    },
  );
});
