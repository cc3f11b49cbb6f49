import type { Config } from '../../src/config/index.ts';
import type { MarketData } from '../../src/contracts/index.ts';
import {
  featureDefinitionFor,
  inferIntervalMs,
  modelSpecsOf,
  trainModels,
  trainSettingsOf,
  warmupBars,
} from '../../src/ml/index.ts';

/**
 * As `cml backtest` splits a file: the configured models trained on the earliest `trainShare` of
 * the bars (into the config's models directory); returns the bars to trade, with the features'
 * warm-up bars before them, and the size of the training part.
 */
export function trainOnEarliest(
  config: Config,
  bars: readonly MarketData[],
  trainShare: number,
): { readonly trainBars: number; readonly tradedBars: readonly MarketData[] } {
  const split = Math.floor(bars.length * trainShare);
  const warmup = warmupBars(featureDefinitionFor(inferIntervalMs(bars.map((b) => b.timestamp))));
  trainModels({
    bars: bars.slice(0, split),
    modelsDir: config.ml.modelsDir as string,
    specs: modelSpecsOf(config),
    settings: trainSettingsOf(config),
  });
  return { trainBars: split, tradedBars: bars.slice(split - warmup) };
}
