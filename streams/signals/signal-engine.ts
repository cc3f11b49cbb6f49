import type { MarketData, MlSignal } from '../../src/contracts/index.ts';
import {
  SymbolFeatures,
  definitionKey,
  loadModel,
  reportedScores,
  type CompactBar,
  type FeatureDefinition,
  type LoadedModel,
  type ModelArtifact,
} from '../../src/ml/index.ts';

/** The per-symbol feature windows, as a snapshot keeps them: bars per feature definition and symbol. */
export interface EngineSnapshot {
  readonly format: 'signals-windows/1';
  readonly groups: Array<{
    readonly key: string;
    readonly definition: FeatureDefinition;
    readonly symbols: Array<[string, CompactBar[]]>;
  }>;
}

interface FeatureGroup {
  readonly definition: FeatureDefinition;
  readonly symbols: Map<string, SymbolFeatures>;
  models: LoadedModel[];
  /**
   * Each model's signal metadata, made once per load: every signal of the model shares it (as the
   * signals of one bar share its features record): messages are never changed once made.
   */
  readonly metadata: Map<LoadedModel, MlSignal['metadata']>;
}

export interface SignalEngine {
  /**
   * Takes one bar (symbols in any interleaving, each in time order) and returns a signal per model
   * once the symbol's features are warm; HOLD signals included. A bar at or before the symbol's
   * last bar is ignored (a repeat), so feeding the same history twice changes nothing.
   */
  onBar(bar: MarketData): MlSignal[];
  snapshot(): EngineSnapshot;
  /** Replaces the feature windows by a snapshot's. */
  restore(snapshot: EngineSnapshot): void;
  /** Swaps the models (a new artifact version); windows of unchanged feature definitions stay warm. */
  setModels(artifacts: readonly ModelArtifact[]): void;
  /** The versions served. */
  versions(): string[];
}

/**
 * The signals processor's pure core: bar -> features (incremental, per symbol) -> each model's
 * prediction -> MlSignal values, synchronous per bar. Models whose artifacts share a feature
 * definition share the windows. The backtest calls it in-process; the runner wraps it in the log.
 */
export function createSignalEngine(artifacts: readonly ModelArtifact[]): SignalEngine {
  let groups = new Map<string, FeatureGroup>();

  const setModels = (next: readonly ModelArtifact[]): void => {
    const rebuilt = new Map<string, FeatureGroup>();
    for (const artifact of next) {
      const key = definitionKey(artifact.features);
      let group = rebuilt.get(key);
      if (group === undefined) {
        group = {
          definition: artifact.features,
          symbols: groups.get(key)?.symbols ?? new Map<string, SymbolFeatures>(),
          models: [],
          metadata: new Map(),
        };
        rebuilt.set(key, group);
        // A new definition starts from any kept window that is long enough.
        if (group.symbols.size === 0) warmFrom(groups, group);
      }
      const model = loadModel(artifact);
      group.models.push(model);
      const scores = reportedScores(artifact);
      group.metadata.set(model, {
        model_version: artifact.version,
        r2_score: scores.r2,
        mae: scores.mae,
      });
    }
    groups = rebuilt;
  };

  setModels(artifacts);
  return {
    onBar(bar) {
      const signals: MlSignal[] = [];
      for (const group of groups.values()) {
        let state = group.symbols.get(bar.symbol);
        if (state === undefined) {
          state = new SymbolFeatures(group.definition);
          group.symbols.set(bar.symbol, state);
        }
        const last = state.lastTime;
        if (last !== undefined && bar.timestamp <= last) continue;
        const features = state.push(bar);
        if (features === undefined) continue;
        for (const model of group.models) {
          const prediction = model.predict(features);
          signals.push({
            symbol: bar.symbol,
            timestamp: bar.timestamp,
            model: model.artifact.model,
            prediction_type: model.artifact.target,
            predicted_value: prediction.predictedValue,
            current_price: bar.price,
            expected_change_pct: prediction.expectedChangePct,
            confidence: prediction.confidence,
            signal: prediction.signal,
            features: features.exposed,
            metadata: group.metadata.get(model) as MlSignal['metadata'],
          });
        }
      }
      return signals;
    },
    snapshot() {
      return {
        format: 'signals-windows/1',
        groups: [...groups].map(([key, group]) => ({
          key,
          definition: group.definition,
          symbols: [...group.symbols].map(([symbol, state]) => [symbol, state.snapshot()]),
        })),
      };
    },
    restore(snapshot) {
      for (const stored of snapshot.groups) {
        const group = groups.get(stored.key);
        if (group === undefined) continue;
        group.symbols.clear();
        for (const [symbol, bars] of stored.symbols)
          group.symbols.set(symbol, SymbolFeatures.restore(group.definition, bars));
      }
      // Definitions the snapshot did not have warm up from those it had.
      for (const group of groups.values())
        if (group.symbols.size === 0) warmFrom(restoredOnly(snapshot), group);
    },
    setModels,
    versions: () => [...groups.values()].flatMap((g) => g.models.map((m) => m.artifact.version)),
  };
}

function restoredOnly(snapshot: EngineSnapshot): Map<string, FeatureGroup> {
  return new Map(
    snapshot.groups.map((g) => [
      g.key,
      {
        definition: g.definition,
        models: [],
        metadata: new Map(),
        symbols: new Map(
          g.symbols.map(([symbol, bars]) => [symbol, SymbolFeatures.restore(g.definition, bars)]),
        ),
      },
    ]),
  );
}

function warmFrom(previous: ReadonlyMap<string, FeatureGroup>, group: FeatureGroup): void {
  for (const other of previous.values())
    for (const [symbol, state] of other.symbols)
      if (!group.symbols.has(symbol))
        group.symbols.set(symbol, SymbolFeatures.restore(group.definition, state.snapshot()));
}
