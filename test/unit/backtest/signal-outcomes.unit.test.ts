import { describe, expect, it } from 'vitest';
import type { MarketData } from '../../../src/contracts/index.ts';
import type { ModelArtifact } from '../../../src/ml/index.ts';
import { signalOutcomes } from '../../../src/backtest/signal-outcomes.ts';

const MIN = 60_000;
const bar = (i: number, price: number, low = price, high = price): MarketData => ({
  symbol: 'BTCUSDT',
  timestamp: i * MIN,
  price,
  open: price,
  high,
  low,
  volume: 1,
  price_change_pct: 0,
});
const artifact = (version: string, labeling?: ModelArtifact['labeling']): ModelArtifact =>
  ({
    version,
    target: 'trend',
    horizonBars: 3,
    bandPct: 1.5,
    ...(labeling === undefined ? {} : { labeling }),
  }) as ModelArtifact;

describe('signal outcomes in a backtest', () => {
  // Entry 100; the next bars dip to 97.5 (the stop at 98), then the close at the horizon is 102.
  const bars = [bar(0, 100), bar(1, 99, 97.5, 100), bar(2, 101), bar(3, 102), bar(4, 90)];
  const band = artifact('band.v1');
  const barrier = artifact('barrier.v1', {
    labels: 'barrier',
    barriers: { stopLossPct: -2, takeProfitPct: 5 },
  });
  const seen = (modelVersion: string, signal: 'BUY' | 'SELL', time = 0) => ({
    time,
    symbol: 'BTCUSDT',
    signal,
    confidence: 0.7,
    modelVersion,
  });

  it('judges each signal by the labels of the model that sent it', () => {
    expect(
      signalOutcomes(
        [
          seen('band.v1', 'BUY'),
          seen('band.v1', 'SELL'),
          seen('barrier.v1', 'BUY'),
          seen('barrier.v1', 'SELL'),
        ],
        bars,
        [band, barrier],
      ),
    ).toEqual([true, false, false, true]);
  });

  it('leaves unknown what the bars cannot tell: past the last horizon, or an unknown version', () => {
    expect(signalOutcomes([seen('band.v1', 'BUY', 2 * MIN), seen('other.v1', 'BUY')], bars, [band])).toEqual([
      undefined,
      undefined,
    ]);
  });
});
