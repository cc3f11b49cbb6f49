import type { MarketData, Signal } from '../contracts/index.ts';
import { DEFAULT_BARRIERS, DOWN, UP, barrierOutcome, trendOf, type ModelArtifact } from '../ml/index.ts';

/** A BUY or SELL signal as the backtest saw it. */
export interface SignalSeen {
  readonly time: number;
  readonly symbol: string;
  readonly signal: Signal;
  readonly confidence: number;
  readonly modelVersion: string;
}

/**
 * Whether each signal's class happened, under the labels of the model version that sent it: the
 * band at its horizon, or the barriers (the trade's stop-loss and take-profit). Undefined when the
 * version is unknown or the bars end before its horizon.
 */
export function signalOutcomes(
  signals: readonly SignalSeen[],
  bars: readonly MarketData[],
  artifacts: readonly ModelArtifact[],
): Array<boolean | undefined> {
  const series = new Map<string, MarketData[]>();
  for (const bar of bars) {
    const list = series.get(bar.symbol) ?? [];
    if (list.length === 0 || bar.timestamp > (list.at(-1) as MarketData).timestamp) list.push(bar);
    series.set(bar.symbol, list);
  }
  const indexes = new Map<string, Map<number, number>>();
  for (const [symbol, list] of series) indexes.set(symbol, new Map(list.map((b, i) => [b.timestamp, i])));
  const byVersion = new Map(artifacts.map((a) => [a.version, a]));
  return signals.map((s) => {
    const artifact = byVersion.get(s.modelVersion);
    const list = series.get(s.symbol);
    const i = indexes.get(s.symbol)?.get(s.time);
    if (artifact === undefined || list === undefined || i === undefined) return undefined;
    const horizon = artifact.horizonBars;
    const last = list[i + horizon];
    if (last === undefined) return undefined;
    const entry = (list[i] as MarketData).price;
    const trend =
      artifact.target === 'trend' && artifact.labeling?.labels === 'barrier'
        ? barrierOutcome(
            entry,
            list.slice(i + 1, i + 1 + horizon),
            horizon,
            artifact.labeling.barriers ?? DEFAULT_BARRIERS,
          ).trend
        : trendOf((last.price / entry - 1) * 100, artifact.bandPct);
    return trend === (s.signal === 'BUY' ? UP : DOWN);
  });
}
