import { describe, expect, it } from 'vitest';
import type { MarketData } from '../../../src/contracts/index.ts';
import { DEFAULT_TRAIN_SETTINGS, labelledRowsAtMost, prepareData } from '../../../src/ml/index.ts';
import { TrainingWindow, retrainDue } from '../../../streams/trainer/index.ts';
import { fixtureBars } from '../ml/fixture-bars.ts';
import { marketDataAt } from '../../support/messages.ts';

const HOUR = 3_600_000;
const bar = (symbol: string, hour: number): MarketData => marketDataAt(hour * HOUR, symbol);

describe("the trainer's window of bars", () => {
  it("keeps each symbol's bars within the window behind the newest bar, in time order, repeats ignored", () => {
    const window = new TrainingWindow(3 * HOUR);
    window.add(bar('BTCUSDT', 1), 0, 0);
    window.add(bar('ETHUSDT', 1), 2, 0);
    window.add(bar('BTCUSDT', 2), 0, 1);
    window.add(bar('BTCUSDT', 2), 0, 2); // a repeat
    window.add(bar('ETHUSDT', 3), 2, 1);
    window.add(bar('BTCUSDT', 5), 0, 3);
    expect(window.newest).toBe(5 * HOUR);
    expect(window.bars().map((b) => [b.symbol, b.timestamp / HOUR])).toEqual([
      ['ETHUSDT', 3],
      ['BTCUSDT', 5],
    ]);
    // Offsets read up to, per partition (exclusive), repeats included: they were read.
    expect([...window.offsets]).toEqual([
      [0, 4],
      [2, 2],
    ]);
    window.readUpTo(2, 5);
    expect(window.offsets.get(2)).toBe(5);
  });

  it('is due with no version of its own yet, then once the newest bar is an interval past the last data', () => {
    expect(retrainDue(-Infinity, undefined, HOUR)).toBe(false);
    expect(retrainDue(10 * HOUR, undefined, HOUR)).toBe(true);
    expect(retrainDue(10 * HOUR, 9.5 * HOUR, HOUR)).toBe(false);
    expect(retrainDue(10 * HOUR, 9 * HOUR, HOUR)).toBe(true);
  });

  it('counts the labelled rows bars can give before fitting (the rows a fit would get, or fewer)', () => {
    const btc = fixtureBars().slice(0, 400);
    const eth = btc.map((b) => ({ ...b, symbol: 'ETHUSDT' }));
    const bars = [...btc, ...eth.slice(0, 350)].sort((a, b) => a.timestamp - b.timestamp);
    expect(labelledRowsAtMost(bars, DEFAULT_TRAIN_SETTINGS)).toBe(400 - 288 - 48 + (350 - 288 - 48));
    expect(prepareData(bars, DEFAULT_TRAIN_SETTINGS).rows.length).toBe(
      labelledRowsAtMost(bars, DEFAULT_TRAIN_SETTINGS),
    );
    expect(labelledRowsAtMost(btc.slice(0, 300), DEFAULT_TRAIN_SETTINGS)).toBe(0);
  });
});
