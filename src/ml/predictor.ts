import type { ModelArtifact, SerializedModel } from './artifact.ts';
import { FastRandomForest } from './models/forest/fast-forest.ts';
import { MlRandomForest } from './models/forest/ml-forest.ts';
import { LinearSvm } from './models/linear-svm.ts';
import { LogisticRegression } from './models/logistic-regression.ts';
import { mapPrediction, type MappedPrediction, type RawPrediction } from './signal-mapping.ts';

/** A loaded model: inputs in the artifact's feature order in, a raw prediction out. */
export interface Predictor {
  predict(inputs: Float64Array): RawPrediction;
}

export type Forest = FastRandomForest | MlRandomForest;

export function forestPredictor(forest: Forest): Predictor {
  return {
    predict(inputs) {
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
      return {
        predict: (inputs) => ({
          kind: 'classification',
          probabilities: model.probabilities(inputs),
          votes: undefined,
        }),
      };
    }
    case 'svm': {
      const model = LinearSvm.load(serialized.svm);
      return {
        predict: (inputs) => ({
          kind: 'classification',
          probabilities: model.probabilities(inputs),
          votes: undefined,
        }),
      };
    }
    default: {
      const unknown: never = serialized;
      throw new Error(`unknown model kind in ${JSON.stringify(unknown).slice(0, 80)}`);
    }
  }
}

/** An artifact ready to serve: its predictor and the mapping of raw predictions to signals. */
export interface LoadedModel {
  readonly artifact: ModelArtifact;
  predict(inputs: Float64Array, close: number): MappedPrediction;
}

export function loadModel(artifact: ModelArtifact): LoadedModel {
  const predictor = predictorOfModel(artifact.serialized);
  const context = {
    target: artifact.target,
    thresholdPct: artifact.bandPct,
    classMeanChangePct: artifact.classMeanChangePct,
  };
  return {
    artifact,
    predict: (inputs, close) => mapPrediction(predictor.predict(inputs), close, context),
  };
}
