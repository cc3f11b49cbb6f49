import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import type { ForestParams } from './fast-forest.ts';

export interface SerializedMlForest {
  readonly engine: 'ml-random-forest';
  readonly classes: number;
  readonly features: number;
  readonly importances: number[];
  readonly model: unknown;
}

type MlForest = RandomForestRegression | RandomForestClassifier;

/**
 * ml-random-forest behind the interface of FastRandomForest, kept selectable (`engine:
 * "ml-random-forest"`) for comparison. Its differences: features are drawn once per tree, not
 * per split; its CART split search is quadratic in the node size (see bench/results/ml.md).
 */
export class MlRandomForest {
  private constructor(
    readonly classes: number,
    readonly features: number,
    private readonly forest: MlForest,
    readonly importances: readonly number[],
  ) {}

  static train(
    rows: readonly Float64Array[],
    y: ArrayLike<number>,
    classes: number,
    params: ForestParams,
  ): MlRandomForest {
    const features = (rows[0] as Float64Array).length;
    const options = {
      nEstimators: params.nEstimators,
      // An integer count: ml-random-forest reads 1.0 as "one feature".
      maxFeatures: Math.max(1, Math.round(features * params.maxFeatures)),
      replacement: false,
      useSampleBagging: true,
      noOOB: true,
      seed: params.seed,
      treeOptions: { maxDepth: params.maxDepth, minNumSamples: Math.max(1, params.minSamplesLeaf) },
    };
    const forest = classes === 0 ? new RandomForestRegression(options) : new RandomForestClassifier(options);
    forest.train(
      rows.map((r) => Array.from(r)),
      Array.from(y),
    );
    const importances = (forest as unknown as { featureImportance(): number[] }).featureImportance();
    return new MlRandomForest(
      classes,
      features,
      forest,
      importances.map((v) => (Number.isFinite(v) ? v : 0)),
    );
  }

  get size(): number {
    return (this.forest.estimators ?? []).length;
  }

  members(x: ArrayLike<number>): Float64Array {
    return Float64Array.from(this.forest.predictionValues([Array.from(x)]).getRow(0));
  }

  classify(x: ArrayLike<number>): { probabilities: Float64Array; votes: Float64Array } {
    const votes = new Float64Array(this.classes);
    const trees = this.forest.predictionValues([Array.from(x)]).getRow(0);
    for (const k of trees) votes[k] = (votes[k] as number) + 1 / trees.length;
    return { probabilities: Float64Array.from(votes), votes };
  }

  toJSON(): SerializedMlForest {
    return {
      engine: 'ml-random-forest',
      classes: this.classes,
      features: this.features,
      importances: [...this.importances],
      model: this.forest.toJSON(),
    };
  }

  static load(json: SerializedMlForest): MlRandomForest {
    const forest =
      json.classes === 0
        ? RandomForestRegression.load(json.model as never)
        : RandomForestClassifier.load(json.model as never);
    return new MlRandomForest(json.classes, json.features, forest, json.importances);
  }
}
