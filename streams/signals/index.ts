/**
 * The signals processor: crypto.market_data -> features -> models -> crypto.ml_signals.
 *
 * - `createSignalEngine(artifacts)`: the pure core, synchronous per bar. `onBar(bar)` returns one
 *   MlSignal per model once the bar's symbol has `warmupBars` bars (HOLD included; a repeated or
 *   older bar of a symbol returns nothing); `snapshot()` / `restore()` carry the per-symbol feature
 *   windows; `setModels()` swaps artifact versions, keeping the windows. A backtest calls it
 *   in-process, bar by bar, in event-time order: a signal's timestamp is its bar's open time and
 *   uses that bar's close, so an order from it can only fill at the next bar.
 * - `startSignalsProcessor({ log, serde, logger, clock, modelsDir, group, snapshotDir, ... })`: the
 *   runner on the log port. Signals are appended atomically with the batch's offsets; instances
 *   share the partitions as one group, each restoring an assigned partition's windows from the
 *   log before its first batch (`restorePartition`: read forward, or a bounded re-read); the
 *   windows are kept in LMDB (`snapshotDir`) with the offsets they cover; new artifact versions
 *   are picked up between batches, each bar served by the version of its slot live at its time
 *   (the newest whose `activeFrom` is at or before it). Returns `{ stop(), stats(), versions() }`.
 * - `ModelSource`: the versions in the models directory that can serve the bars between two times.
 */
export { createSignalEngine, type EngineSnapshot, type SignalEngine } from './signal-engine.ts';
export {
  DEFAULT_SIGNALS_GROUP,
  startSignalsProcessor,
  type SignalsProcessor,
  type SignalsProcessorOptions,
  type SignalsProcessorStats,
} from './signals-processor.ts';
export { WindowStore, type SavedWindows } from './window-store.ts';
export { restorePartition, type PartitionRestore, type RestoreContext } from './partition-restore.ts';
export { ModelSource, type FoundVersion } from './model-source.ts';
