import type { MarketData, MlSignal } from '../../src/contracts/index.ts';
import {
  SymbolFeatures,
  activeFromOf,
  definitionKey,
  loadModel,
  reportedScores,
  versionNumberOf,
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

/** A loaded version with what the engine reads of its artifact on every bar. */
interface ServedModel {
  readonly model: LoadedModel;
  /**
   * Its signals' metadata (version, reported scores), made once per load: every signal of the
   * version shares it, as the signals of one bar share its features record; messages are never
   * changed once made.
   */
  readonly metadata: MlSignal['metadata'];
  readonly activeFrom: number;
  /** The versions of its slot, newest first (shared by them all). */
  readonly slotVersions: ServedModel[];
}

interface FeatureGroup {
  readonly definition: FeatureDefinition;
  readonly symbols: Map<string, SymbolFeatures>;
  models: ServedModel[];
}

export interface SignalEngineOptions {
  /**
   * A version whose newest training bar is more than this far (ms, event time) before a bar stops
   * acting on it: its signal is HOLD with the reason. 0 or none: versions never expire.
   */
  readonly expiryMs?: number;
}

/** The version of a slot live at `time`: the newest whose activeFrom <= time (none before the first). */
function liveAt(versions: readonly ServedModel[], time: number): ServedModel | undefined {
  for (const version of versions) if (version.activeFrom <= time) return version;
  return undefined;
}

function metadataOf(artifact: ModelArtifact): MlSignal['metadata'] {
  const scores = reportedScores(artifact);
  return { model_version: artifact.version, r2_score: scores.r2, mae: scores.mae };
}

const DAY_MS = 86_400_000;
const describeAge = (ms: number): string =>
  ms >= DAY_MS ? `${(ms / DAY_MS).toFixed(1)} d` : `${(ms / 3_600_000).toFixed(1)} h`;

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
  /** Drops the windows of the symbols `which` selects (those of a partition handed to another instance). */
  forget(which: (symbol: string) => boolean): void;
  /**
   * Swaps the models (a new artifact version); windows of unchanged feature definitions stay warm.
   * Several versions of a slot may be given: each bar is served by the one live at its time.
   */
  setModels(artifacts: readonly ModelArtifact[]): void;
  /** The versions served. */
  versions(): string[];
}

/**
 * The signals processor's pure core: bar -> features (incremental, per symbol) -> each model's
 * prediction -> MlSignal values, synchronous per bar. Models whose artifacts share a feature
 * definition share the windows. The backtest calls it in-process; the runner wraps it in the log.
 * Of several versions of one slot, a bar is served by the newest whose `activeFrom` is at or
 * before its time, so a replay serves each bar with the version that was live for it.
 */
export function createSignalEngine(
  artifacts: readonly ModelArtifact[],
  options: SignalEngineOptions = {},
): SignalEngine {
  let groups = new Map<string, FeatureGroup>();
  const expiryMs = options.expiryMs ?? 0;

  const setModels = (next: readonly ModelArtifact[]): void => {
    const rebuilt = new Map<string, FeatureGroup>();
    const slots = new Map<string, ServedModel[]>();
    const ordered = [...next].sort((a, b) => versionNumberOf(b.version) - versionNumberOf(a.version));
    for (const artifact of ordered) {
      const key = definitionKey(artifact.features);
      let group = rebuilt.get(key);
      if (group === undefined) {
        group = {
          definition: artifact.features,
          symbols: groups.get(key)?.symbols ?? new Map<string, SymbolFeatures>(),
          models: [],
        };
        rebuilt.set(key, group);
        // A new definition starts from any kept window that is long enough.
        if (group.symbols.size === 0) warmFrom(groups, group);
      }
      let slotVersions = slots.get(artifact.slot);
      if (slotVersions === undefined) {
        slotVersions = [];
        slots.set(artifact.slot, slotVersions);
      }
      const served: ServedModel = {
        model: loadModel(artifact),
        metadata: metadataOf(artifact),
        activeFrom: activeFromOf(artifact),
        slotVersions,
      };
      slotVersions.push(served);
      group.models.push(served);
    }
    // A definition no version uses at the moment keeps its windows warm (without models), so a
    // later version of it serves its first bar as if it had always been loaded.
    for (const [key, group] of groups)
      if (!rebuilt.has(key))
        rebuilt.set(key, { definition: group.definition, symbols: group.symbols, models: [] });
    // Signals keep the order the artifacts were given in (oldest version first within a slot).
    const rank = new Map(next.map((artifact, n) => [artifact.version, n]));
    for (const group of rebuilt.values())
      group.models.sort(
        (a, b) => (rank.get(a.model.artifact.version) ?? 0) - (rank.get(b.model.artifact.version) ?? 0),
      );
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
        for (const served of group.models) {
          if (liveAt(served.slotVersions, bar.timestamp) !== served) continue;
          const { model, metadata } = served;
          const artifact = model.artifact;
          const age = bar.timestamp - artifact.training.dataTo;
          const expired = expiryMs > 0 && age > expiryMs;
          const prediction = expired
            ? { predictedValue: bar.price, expectedChangePct: 0, confidence: 0, signal: 'HOLD' as const }
            : model.predict(features);
          signals.push({
            symbol: bar.symbol,
            timestamp: bar.timestamp,
            model: artifact.model,
            prediction_type: artifact.target,
            predicted_value: prediction.predictedValue,
            current_price: bar.price,
            expected_change_pct: prediction.expectedChangePct,
            confidence: prediction.confidence,
            signal: prediction.signal,
            features: features.exposed,
            metadata,
            hold_reason: expired
              ? `model expired: ${artifact.version} trained on bars up to ${new Date(artifact.training.dataTo).toISOString()}, ${describeAge(age)} before this bar (expiry ${describeAge(expiryMs)})`
              : null,
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
    forget(which) {
      for (const group of groups.values())
        for (const symbol of [...group.symbols.keys()]) if (which(symbol)) group.symbols.delete(symbol);
    },
    setModels,
    versions: () => [...groups.values()].flatMap((g) => g.models.map((m) => m.model.artifact.version)),
  };
}

function restoredOnly(snapshot: EngineSnapshot): Map<string, FeatureGroup> {
  return new Map(
    snapshot.groups.map((g) => [
      g.key,
      {
        definition: g.definition,
        models: [],
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
