import { brierScore, expectedCalibrationError } from '../calibration/calibration-scores.ts';
import { DOWN, FLAT, UP } from '../dataset.ts';
import { seededRandom } from '../random.ts';
import { bootstrapMean, type MeanInterval } from './bootstrap.ts';

/** One out-of-sample prediction next to what happened. */
export interface JudgedSignal {
  /** The class the signal stands for (down 0, flat 1, up 2). */
  readonly trend: number;
  readonly confidence: number;
  /** The class that happened, under the model's labels. */
  readonly actual: number;
  /** What a long entered at the bar's close earned by the barriers or the horizon, percent, before fees. */
  readonly tradeReturnPct: number;
}

/** Signals judged as a trader would: how often each kind was right, what BUYs earned, how honest the confidence was. */
export interface SignalScores {
  readonly rows: number;
  readonly accuracy: number;
  readonly buys: number;
  readonly sells: number;
  readonly buyPrecision: number;
  readonly sellPrecision: number;
  /** Brier score and expected calibration error of the confidence as the probability of being right. */
  readonly brier: number;
  readonly ece: number;
  /** Mean return of a long trade on each BUY signal, with its 95% block-bootstrap interval. */
  readonly buyReturn: MeanInterval;
}

export function scoreSignals(signals: readonly JudgedSignal[]): SignalScores {
  let right = 0;
  let buys = 0;
  let sells = 0;
  let buyRight = 0;
  let sellRight = 0;
  const buyReturns: number[] = [];
  for (const s of signals) {
    if (s.trend === s.actual) right++;
    if (s.trend === UP) {
      buys++;
      if (s.actual === UP) buyRight++;
      buyReturns.push(s.tradeReturnPct);
    } else if (s.trend === DOWN) {
      sells++;
      if (s.actual === DOWN) sellRight++;
    }
  }
  const n = signals.length;
  return {
    rows: n,
    accuracy: n > 0 ? right / n : 0,
    buys,
    sells,
    buyPrecision: buys > 0 ? buyRight / buys : 0,
    sellPrecision: sells > 0 ? sellRight / sells : 0,
    brier: brierScore(
      signals.map((s) => s.confidence),
      signals.map((s) => (s.trend === s.actual ? 1 : 0)),
    ),
    ece: expectedCalibrationError(
      signals.map((s) => s.confidence),
      signals.map((s) => (s.trend === s.actual ? 1 : 0)),
    ),
    buyReturn: bootstrapMean(buyReturns),
  };
}

/**
 * Baselines on the same rows as a model. Their confidence is the hit rate their kind of signal had
 * in the training rows (HOLD: the share of flat rows), so their Brier scores are those of an
 * honest constant.
 */
export function alwaysHold(
  rows: ReadonlyArray<{ actual: number; tradeReturnPct: number }>,
  flatShare: number,
): JudgedSignal[] {
  return rows.map((r) => ({
    trend: FLAT,
    confidence: flatShare,
    actual: r.actual,
    tradeReturnPct: r.tradeReturnPct,
  }));
}

/** A random signal that BUYs and SELLs as often as the model did (its own signal rate), seeded. */
export function randomAtRate(
  rows: ReadonlyArray<{ actual: number; tradeReturnPct: number }>,
  model: Pick<SignalScores, 'rows' | 'buys' | 'sells'>,
  shares: readonly number[],
  seed = 5,
): JudgedSignal[] {
  const random = seededRandom(seed);
  const buyRate = model.rows > 0 ? model.buys / model.rows : 0;
  const sellRate = model.rows > 0 ? model.sells / model.rows : 0;
  return rows.map((r) => {
    const u = random();
    const trend = u < buyRate ? UP : u < buyRate + sellRate ? DOWN : FLAT;
    return { trend, confidence: shares[trend] ?? 0, actual: r.actual, tradeReturnPct: r.tradeReturnPct };
  });
}
