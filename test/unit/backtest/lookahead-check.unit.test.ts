import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MarketData, MlSignal } from '../../../src/contracts/index.ts';
import { checkLookahead, cutPoints } from '../../../src/backtest/lookahead-check.ts';
import { DEFAULT_TRAIN_SETTINGS, readBarsFile, trainModels } from '../../../src/ml/index.ts';
import { createSignalEngine } from '../../../streams/signals/index.ts';
import { signalAt } from '../../support/messages.ts';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url),
);
const bars = readBarsFile(FIXTURE, 'BTCUSDT').bars.slice(0, 2_400);

describe('the look-ahead check', () => {
  it('finds no future data in the signals processor with trained models', () => {
    const trained = trainModels({
      bars: bars.slice(0, 1_200),
      modelsDir: mkdtempSync(join(tmpdir(), 'cml-lookahead-')),
      specs: [
        { model: 'random_forest', target: 'price_change' },
        { model: 'logistic_regression', target: 'trend' },
      ],
      settings: {
        horizonBars: 12,
        regressionForest: { ...DEFAULT_TRAIN_SETTINGS.regressionForest, nEstimators: 8, maxDepth: 6 },
      },
    });
    const artifacts = trained.map((t) => t.artifact);
    const report = checkLookahead(
      bars,
      (history) => {
        const engine = createSignalEngine(artifacts);
        return history.flatMap((bar) => engine.onBar(bar));
      },
      cutPoints(bars.length, 4, 400),
    );
    expect(report.compared).toBeGreaterThan(1_000);
    expect(report.mismatches).toEqual([]);
  });

  it('catches a strategy that peeks at the next bar (a centred average)', () => {
    const peeking = (history: readonly MarketData[]): MlSignal[] =>
      history.slice(1).map((bar, n) => {
        const next = history[n + 2];
        const centred = ((history[n] as MarketData).price + bar.price + (next?.price ?? bar.price)) / 3;
        return signalAt(bar.timestamp, {
          predicted_value: centred,
          current_price: bar.price,
          expected_change_pct: ((centred - bar.price) / bar.price) * 100,
        });
      });
    const report = checkLookahead(bars.slice(0, 300), peeking, [100, 200]);
    // At each cut, the last bar's "prediction" changes once its successor exists.
    expect(report.mismatches.map((m) => m.cut)).toEqual([100, 200]);
    expect(report.mismatches[0]?.time).toBe(bars[99]?.timestamp);
  });
});
