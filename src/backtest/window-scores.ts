import type { MarketData } from '../contracts/index.ts';
import {
  labelBars,
  lastPriceBaseline,
  loadModel,
  reportedScores,
  scoreOn,
  warmupBars,
  type ModelArtifact,
} from '../ml/index.ts';
import { sliceByTime, type TradeWindow } from './walk-forward.ts';

/** A model version's scores: signal accuracy (the three trend classes) and R² in its target's unit. */
export interface ModelScores {
  readonly accuracy: number;
  readonly r2: number;
  /** The accuracy of always HOLD on the same bars: the bar a model's accuracy has to clear. */
  readonly holdAccuracy: number;
  /** Labelled bars scored. */
  readonly rows: number;
}

export interface WindowModel {
  readonly version: string;
  /** On the latest share of its own training window, held out from its fit. */
  readonly holdout: ModelScores;
  /** On the bars it traded: out of sample by construction (labels from the bars after each). */
  readonly traded?: ModelScores;
}

/**
 * Scores each model version on the window it traded: features from the bars before each (the
 * warm-up before the window included), labels from the bars `horizon` later, the window's bars only.
 */
export function windowModels(
  artifacts: readonly ModelArtifact[],
  bars: readonly MarketData[],
  window: TradeWindow,
  intervalMs: number,
): WindowModel[] {
  return artifacts.map((artifact) => {
    const holdout: ModelScores = {
      accuracy: artifact.metrics.signal.accuracy,
      r2: reportedScores(artifact).r2,
      holdAccuracy: artifact.baselines.lastPrice.signal.accuracy,
      rows: artifact.training.testRows,
    };
    const lead = (warmupBars(artifact.features) + 1) * intervalMs;
    const tail = (artifact.horizonBars + 1) * intervalMs;
    const around = sliceByTime(bars, window.from - lead, window.to + tail, (b) => b.timestamp);
    const labeling = { ...artifact, ...artifact.labeling };
    const rows = labelBars(around, artifact.features, labeling).filter(
      (row) => row.features.timestamp >= window.from && row.features.timestamp < window.to,
    );
    if (rows.length === 0) return { version: artifact.version, holdout };
    const model = loadModel(artifact);
    const metrics = scoreOn(
      rows,
      rows.map((row) => model.predict(row.features)),
    );
    return {
      version: artifact.version,
      holdout,
      traded: {
        accuracy: metrics.signal.accuracy,
        r2: reportedScores({ ...artifact, metrics }).r2,
        holdAccuracy: lastPriceBaseline(rows).signal.accuracy,
        rows: rows.length,
      },
    };
  });
}
