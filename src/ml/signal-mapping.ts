import type { Signal } from '../contracts/index.ts';
import { calibratedConfidence, type ConfidenceCalibration } from './calibration/confidence-calibration.ts';
import { DOWN, UP, type Target } from './dataset.ts';

/** What a model returns before it becomes a signal. */
export type RawPrediction =
  /** In target units (see `changeOf`), with each tree's value when the model is an ensemble. */
  | { readonly kind: 'regression'; readonly value: number; readonly members: Float64Array }
  /**
   * Class probabilities (down, flat, up); `votes` is each class's share of tree votes for a
   * forest, which then decides the class and the confidence.
   */
  | {
      readonly kind: 'classification';
      readonly probabilities: Float64Array;
      readonly votes: Float64Array | undefined;
    };

/** A prediction in the spec's terms. */
export interface MappedPrediction {
  readonly expectedChangePct: number;
  readonly predictedValue: number;
  readonly confidence: number;
  readonly signal: Signal;
  /** The class index (down 0, flat 1, up 2) the signal stands for. */
  readonly trend: number;
}

/** The spec's mapping: above +threshold BUY, below -threshold SELL, HOLD otherwise. */
export const signalOf = (expectedChangePct: number, thresholdPct: number): Signal =>
  expectedChangePct > thresholdPct ? 'BUY' : expectedChangePct < -thresholdPct ? 'SELL' : 'HOLD';

const trendOfSignal = (signal: Signal): number => (signal === 'BUY' ? UP : signal === 'SELL' ? DOWN : 1);
const signalOfTrend = (trend: number): Signal => (trend === UP ? 'BUY' : trend === DOWN ? 'SELL' : 'HOLD');

/**
 * Regression targets in model units: `price` models learn 100 ln(future / close) (a price
 * forecast made scale-free, so trees need not extrapolate to unseen price levels), `price_change`
 * models the percent change itself. Both become a percent change here.
 */
export const changeOf = (target: Target, value: number): number =>
  target === 'price' ? (Math.exp(value / 100) - 1) * 100 : value;

/** The model-unit label of a percent change (inverse of `changeOf`). */
export const labelOf = (target: Target, changePct: number): number =>
  target === 'price' ? 100 * Math.log1p(changePct / 100) : changePct;

export interface MappingContext {
  readonly target: Target;
  readonly thresholdPct: number;
  /** Mean percent change of each trend class in the training rows (classifiers' expected change). */
  readonly classMeanChangePct: readonly number[];
  /** Maps the raw confidence to the probability that the signal is right (absent: raw). */
  readonly calibration?: ConfidenceCalibration | undefined;
}

/**
 * Turns a prediction into expected change, predicted price, signal and confidence.
 * - Regression: the expected change is the forest's mean; the confidence is the share of trees
 *   whose own prediction maps to the same signal (a dispersion measure in the units that matter).
 * - Classification: the class with most tree votes (forest) or the highest probability; the
 *   confidence is that vote share or that probability; the expected change is the class's mean
 *   change in the training rows, so it maps back to the same signal.
 * With a calibration, the confidence is then the calibrated one (the class stays the raw choice).
 */
export function mapPrediction(raw: RawPrediction, close: number, context: MappingContext): MappedPrediction {
  if (raw.kind === 'regression') {
    const expectedChangePct = changeOf(context.target, raw.value);
    const signal = signalOf(expectedChangePct, context.thresholdPct);
    let agree = 0;
    for (const member of raw.members)
      if (signalOf(changeOf(context.target, member), context.thresholdPct) === signal) agree++;
    const trend = trendOfSignal(signal);
    return {
      expectedChangePct,
      predictedValue: close * (1 + expectedChangePct / 100),
      confidence: calibrated(context, trend, raw.members.length > 0 ? agree / raw.members.length : 0),
      signal,
      trend,
    };
  }
  const scores = raw.votes ?? raw.probabilities;
  let trend = 1;
  for (let k = 0; k < scores.length; k++) {
    const s = scores[k] as number;
    const best = scores[trend] as number;
    // Ties go to the higher probability, then to flat (HOLD).
    if (
      s > best ||
      (s === best && k !== trend && (raw.probabilities[k] as number) > (raw.probabilities[trend] as number))
    )
      trend = k;
  }
  const expectedChangePct = context.classMeanChangePct[trend] ?? 0;
  return {
    expectedChangePct,
    predictedValue: close * (1 + expectedChangePct / 100),
    confidence: calibrated(context, trend, Math.min(1, Math.max(0, scores[trend] as number))),
    signal: signalOfTrend(trend),
    trend,
  };
}

const calibrated = (context: MappingContext, trend: number, raw: number): number =>
  context.calibration === undefined ? raw : calibratedConfidence(context.calibration, trend, raw);
