import { fitPlatt, type Platt } from '../models/linear-svm.ts';
import { applyIsotonic, fitIsotonic, type IsotonicMap } from './isotonic.ts';

export const CALIBRATION_METHODS = ['isotonic', 'platt'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

export type CalibrationMap =
  | { readonly method: 'isotonic'; readonly isotonic: IsotonicMap }
  | { readonly method: 'platt'; readonly platt: Platt };

/**
 * A map from a model's raw confidence to the probability that its signal is right (top-label
 * calibration): one map per predicted class (down, flat, up), fitted on rows the model was not
 * fitted on. A class predicted on fewer than MIN_CLASS_ROWS of those rows uses the map of all
 * rows pooled.
 */
export interface ConfidenceCalibration {
  readonly method: CalibrationMethod;
  readonly perClass: CalibrationMap[];
  /** Rows it was fitted on, and how many of them each class was predicted on. */
  readonly rows: number;
  readonly predicted: number[];
}

export const MIN_CLASS_ROWS = 30;

/** A held-out prediction: the class chosen, its raw confidence, whether that class happened. */
export interface ScoredPrediction {
  readonly trend: number;
  readonly confidence: number;
  readonly right: boolean;
}

function fitMap(method: CalibrationMethod, predictions: readonly ScoredPrediction[]): CalibrationMap {
  const scores = predictions.map((p) => p.confidence);
  if (method === 'isotonic')
    return {
      method,
      isotonic: fitIsotonic(
        scores,
        predictions.map((p) => (p.right ? 1 : 0)),
      ),
    };
  return {
    method,
    platt: fitPlatt(
      scores,
      predictions.map((p) => p.right),
    ),
  };
}

export function fitCalibration(
  method: CalibrationMethod,
  predictions: readonly ScoredPrediction[],
  classes: number,
): ConfidenceCalibration {
  const pooled = fitMap(method, predictions);
  const predicted: number[] = [];
  const perClass = Array.from({ length: classes }, (_, k) => {
    const own = predictions.filter((p) => p.trend === k);
    predicted.push(own.length);
    return own.length >= MIN_CLASS_ROWS ? fitMap(method, own) : pooled;
  });
  return { method, perClass, rows: predictions.length, predicted };
}

export function applyMap(map: CalibrationMap, confidence: number): number {
  if (map.method === 'isotonic') return applyIsotonic(map.isotonic, confidence);
  return 1 / (1 + Math.exp(map.platt.a * confidence + map.platt.b));
}

/** The calibrated confidence of a prediction of class `trend` with raw confidence `confidence`. */
export function calibratedConfidence(
  calibration: ConfidenceCalibration,
  trend: number,
  confidence: number,
): number {
  const map = calibration.perClass[trend];
  return map === undefined ? confidence : Math.min(1, Math.max(0, applyMap(map, confidence)));
}
