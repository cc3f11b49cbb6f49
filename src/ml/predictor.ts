import type { ModelArtifact, SerializedModel } from './artifact.ts';
import { GradientBoostedTrees } from './models/forest/boosted-trees.ts';
import { FastRandomForest } from './models/forest/fast-forest.ts';
import { MlRandomForest } from './models/forest/ml-forest.ts';
import { LinearSvm } from './models/linear-svm.ts';
import { LogisticRegression } from './models/logistic-regression.ts';
import { maRsiRuleTrend, type MaRsiRuleParams } from './models/ma-rsi-rule.ts';
import type { FeatureVector } from './features/symbol-features.ts';
import { FEATURE_COLUMNS } from './features/feature-definition.ts';
import { mapPrediction, type MappedPrediction, type RawPrediction } from './signal-mapping.ts';

/** What a model sees of a bar: the inputs in the artifact's feature order, and (rules) the previous bar's SMA gap. */
export type ModelInput = Pick<FeatureVector, 'inputs' | 'previousMaCrossPct'>;

/** A loaded model: a bar's inputs in, a raw prediction out. */
export interface Predictor {
  predict(input: ModelInput): RawPrediction;
}

export type Forest = FastRandomForest | MlRandomForest;

export function forestPredictor(forest: Forest): Predictor {
  return {
    predict({ inputs }) {
      if (forest.classes === 0) {
        const members = forest.members(inputs);
        let sum = 0;
        for (const m of members) sum += m;
        return { kind: 'regression', value: sum / members.length, members };
      }
      const { probabilities, votes } = forest.classify(inputs);
      return { kind: 'classification', probabilities, votes };
    },
  };
}

/** A classifier whose confidence is its probability of each class (no tree votes). */
const probabilityPredictor = (probabilities: (inputs: Float64Array) => Float64Array): Predictor => ({
  predict: ({ inputs }) => ({
    kind: 'classification',
    probabilities: probabilities(inputs),
    votes: undefined,
  }),
});

export function predictorOfModel(serialized: SerializedModel): Predictor {
  switch (serialized.kind) {
    case 'random_forest':
      return forestPredictor(
        serialized.forest.engine === 'fast'
          ? FastRandomForest.load(serialized.forest)
          : MlRandomForest.load(serialized.forest),
      );
    case 'logistic_regression': {
      const model = LogisticRegression.load(serialized.logistic);
      return probabilityPredictor((inputs) => model.probabilities(inputs));
    }
    case 'svm': {
      const model = LinearSvm.load(serialized.svm);
      return probabilityPredictor((inputs) => model.probabilities(inputs));
    }
    case 'gradient_boosting': {
      const model = GradientBoostedTrees.load(serialized.boosting);
      return probabilityPredictor((inputs) => model.classify(inputs));
    }
    case 'ma_rsi_rule':
      return rulePredictor(serialized.rule);
    default: {
      const unknown: never = serialized;
      throw new Error(`unknown model kind in ${JSON.stringify(unknown).slice(0, 80)}`);
    }
  }
}

const MA_CROSS = FEATURE_COLUMNS.indexOf('ma_cross_pct');
const RSI = FEATURE_COLUMNS.indexOf('rsi_14');

/**
 * The rule as a classifier certain of itself: probability 1 for its class, so the mapping gives
 * confidence 1 and, as for every classifier, the class's mean change in the training rows as the
 * expected change.
 */
function rulePredictor(params: MaRsiRuleParams): Predictor {
  return {
    predict({ inputs, previousMaCrossPct }) {
      const trend = maRsiRuleTrend(
        {
          maCrossPct: inputs[MA_CROSS] as number,
          previousMaCrossPct,
          rsi: inputs[RSI] as number,
        },
        params,
      );
      const probabilities = new Float64Array(3);
      probabilities[trend] = 1;
      return { kind: 'classification', probabilities, votes: undefined };
    },
  };
}

/** An artifact ready to serve: its predictor and the mapping of raw predictions to signals. */
export interface LoadedModel {
  readonly artifact: ModelArtifact;
  predict(features: ModelInput & Pick<FeatureVector, 'close'>): MappedPrediction;
}

export function loadModel(artifact: ModelArtifact): LoadedModel {
  const predictor = predictorOfModel(artifact.serialized);
  const context = {
    target: artifact.target,
    thresholdPct: artifact.bandPct,
    classMeanChangePct: artifact.classMeanChangePct,
    calibration: artifact.calibration,
  };
  return {
    artifact,
    predict: (features) => mapPrediction(predictor.predict(features), features.close, context),
  };
}
