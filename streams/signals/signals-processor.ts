import { MARKET_DATA, ML_SIGNALS, TOPIC_CONTRACTS, describeViolation } from '../../src/contracts/index.ts';
import { CmlError, ErrorCodes } from '../../src/errors/index.ts';
import { partitionFor } from '../../src/log/partitioner.ts';
import type { AppendRecord, BatchOutcome, LogPort, LogRecord, TopicAssignment } from '../../src/log/port.ts';
import { warmupBars, type ModelArtifact } from '../../src/ml/index.ts';
import {
  recordClock,
  subscribeValidated,
  type ValidatedSubscription,
  type ValidationClock,
  type ValidMessage,
} from '../../src/messaging/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { ModelSource, type FoundVersion } from './model-source.ts';
import { createSignalEngine, type EngineSnapshot } from './signal-engine.ts';
import { restorePartition } from './partition-restore.ts';
import { WindowStore } from './window-store.ts';

export const DEFAULT_SIGNALS_GROUP = 'signals-processor';

export interface SignalsProcessorOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  /** The clock market data is validated against: wallClock() live, streamClock() for history. */
  readonly clock: ValidationClock;
  /**
   * The clock each signal's freshness is validated against. Live: wallClock(), so a signal more than
   * 2 minutes old is not written. Default: the event time of the signal's bar (history: a signal is
   * as fresh as the bar it comes from; a stream watermark would be at the end of the batch already).
   */
  readonly signalClock?: ValidationClock;
  readonly modelsDir: string;
  /** Slots to serve (`<model>-<target>-h<horizon>`); default: the newest version of every slot in the directory. */
  readonly models?: readonly string[];
  /** Consumer group (default `signals-processor`); the snapshot is kept per group. */
  readonly group?: string;
  /** Where a group with no committed offset starts (default: the beginning). */
  readonly fromBeginning?: boolean;
  /** Directory of the LMDB snapshot of the feature windows; none: windows are rebuilt from the log. */
  readonly snapshotDir?: string;
  /** Least time between two snapshots, ms (default 5,000; 0: after every batch). */
  readonly snapshotIntervalMs?: number;
  /** Least time between two looks at the models directory, ms (default 5,000; 0: before every batch). */
  readonly reloadIntervalMs?: number;
  /** Topics to read and write instead of the contract's (isolated tests). */
  readonly readFrom?: string;
  readonly writeTo?: string;
  /** Monotonic time for the intervals above. */
  readonly now?: () => number;
  /** A version whose newest training bar is more than this (ms, event time) before a bar says HOLD, "model expired" (0: never). */
  readonly expiryMs?: number;
  /**
   * Records re-read first, back from the committed offset, to rebuild an assigned partition's
   * windows (default: 200 windows' worth); a gap this short after the windows is read forward.
   */
  readonly restoreSpan?: number;
  /** Most records re-read to rebuild one partition's windows (default 200,000). */
  readonly restoreMaxRecords?: number;
}

export interface SignalsProcessorStats {
  bars: number;
  signals: number;
  /** Signals that broke the contract (e.g. stale against a wall clock) and were not written. */
  rejectedSignals: number;
  /** Bars read to rebuild the windows of assigned partitions (not turned into signals). */
  warmupBars: number;
  /** Assigned partitions whose windows were read forward or rebuilt before processing. */
  restores: number;
  /** Time those restores took, ms. */
  restoreMs: number;
  reloads: number;
  snapshots: number;
  /** Versions found after a bar at or past their activeFrom was served (a replay serves that bar otherwise). */
  lateVersions: number;
}

export interface SignalsProcessor {
  stop(): Promise<void>;
  stats(): Readonly<SignalsProcessorStats>;
  /** The model versions served now. */
  versions(): string[];
  /** Whether its input is stalled: every bar read lately was dead-lettered (liveness). */
  stuck(): boolean;
  stuckReason(): string | undefined;
}

const positionOf = (record: LogRecord): string => `${record.topic}/${record.partition}`;
const widestWindow = (artifacts: readonly ModelArtifact[]): number =>
  Math.max(...artifacts.map((artifact) => warmupBars(artifact.features)));

/**
 * The signals processor: consumes crypto.market_data, runs the engine, appends the signals in the
 * same atomic step as the batch's offsets (returned as `{ append }`), so each bar's signals are
 * written once. Several instances share the partitions as members of one group: each time the
 * group assigns partitions, the first batch of each waits until its windows are level with the
 * committed offset (restorePartition: read forward from the windows, or rebuilt by a bounded
 * re-read of the input), and the windows of partitions taken away are dropped. The windows are
 * also saved in LMDB between batches with the offsets they cover (a snapshot is only ever taken of
 * committed batches), so a restarted instance usually has little to read. A new artifact version
 * in the models directory is picked up between batches, without a restart; of several versions of
 * a slot, each bar is served by the one live at its time (`activeFrom`), so the signals do not
 * depend on when the processor saw a version.
 */
export async function startSignalsProcessor(options: SignalsProcessorOptions): Promise<SignalsProcessor> {
  const group = options.group ?? DEFAULT_SIGNALS_GROUP;
  const inputTopic = options.readFrom ?? MARKET_DATA;
  const outputTopic = options.writeTo ?? ML_SIGNALS;
  const now = options.now ?? (() => performance.now());
  const signalClock = options.signalClock ?? recordClock((record: LogRecord) => record.timestamp);
  const source = new ModelSource(options.modelsDir, options.models);
  // The newest version of each slot to start with (a restore needs only their feature
  // definitions); each batch then gets the versions live at its bars' times.
  const artifacts = source.load();
  /** The latest bar time served: a version found later whose activeFrom is before it came late. */
  let servedUpTo = -Infinity;
  if (artifacts.length === 0)
    throw new CmlError(ErrorCodes.USAGE, `No model to serve in ${options.modelsDir}`, {
      details: { modelsDir: options.modelsDir, models: options.models },
      hint: 'Train one first: `npm run cli -- train <bars.csv>` (or check the configured model list).',
    });
  const engine = createSignalEngine(artifacts, { expiryMs: options.expiryMs ?? 0 });
  const stats: SignalsProcessorStats = {
    bars: 0,
    signals: 0,
    rejectedSignals: 0,
    warmupBars: 0,
    restores: 0,
    restoreMs: 0,
    reloads: 0,
    snapshots: 0,
    lateVersions: 0,
  };
  const store = options.snapshotDir === undefined ? undefined : WindowStore.open(options.snapshotDir);
  let offsets = new Map<string, number>();
  const saved = store?.load(group);
  if (saved !== undefined) {
    engine.restore(saved.snapshot);
    offsets = new Map(saved.offsets);
  }
  options.logger.info(
    { group, models: engine.versions(), snapshot: saved !== undefined },
    'signals processor starting',
  );

  let barsPerSymbol = widestWindow(artifacts);
  const restoreSpan = options.restoreSpan ?? barsPerSymbol * 200;
  const partitions = await options.log.partitionCount(inputTopic);
  /** Partitions assigned whose windows are not yet known to be level with the committed offset. */
  const unchecked = new Set<number>();
  const onAssigned = (assignment: readonly TopicAssignment[]): void => {
    const mine = new Set(assignment.find((a) => a.topic === inputTopic)?.partitions ?? []);
    for (let partition = 0; partition < partitions; partition++) {
      if (mine.has(partition)) unchecked.add(partition);
      else if (offsets.delete(`${inputTopic}/${partition}`)) {
        unchecked.delete(partition);
        engine.forget((symbol) => partitionFor(symbol, partitions) === partition);
      }
    }
    options.logger.info({ group, partitions: [...mine] }, 'partitions assigned');
  };
  const restore = async (partition: number): Promise<void> => {
    const started = now();
    const position = `${inputTopic}/${partition}`;
    const committed = (await options.log.committedOffsets(group, inputTopic)).get(partition);
    const done = await restorePartition(
      {
        log: options.log,
        serde: options.serde,
        engine,
        topic: inputTopic,
        partitions,
        barsPerSymbol,
        span: restoreSpan,
        maxRecords: options.restoreMaxRecords ?? 200_000,
      },
      partition,
      offsets.get(position),
      committed,
    );
    if (committed !== undefined) offsets.set(position, committed);
    if (done.kind === 'current') return;
    stats.restores++;
    stats.warmupBars += done.bars;
    stats.restoreMs += now() - started;
    options.logger.info(
      { group, partition, ...done, ms: Math.round(now() - started) },
      'partition windows restored',
    );
  };

  let lastSnapshot = now();
  let lastReload = now();
  /** The state before the batch last handled: restored if that batch is delivered again (its commit failed). */
  let before: { snapshot: EngineSnapshot; offsets: Map<string, number>; position: string } | undefined;

  const saveSnapshot = async (snapshot: EngineSnapshot, covered: Map<string, number>): Promise<void> => {
    if (store === undefined) return;
    await store.save(group, { snapshot, offsets: [...covered], savedAt: Date.now() });
    stats.snapshots++;
    lastSnapshot = now();
  };

  const handle = async (messages: readonly ValidMessage<typeof MARKET_DATA>[]): Promise<BatchOutcome> => {
    const first = messages[0]?.record as LogRecord;
    const position = positionOf(first);
    if (unchecked.delete(first.partition)) await restore(first.partition);
    if (first.offset < (offsets.get(position) ?? 0)) {
      // The last batch's commit failed and it comes again: rewind the windows to before it.
      const rewind = before?.position === position && first.offset >= (before.offsets.get(position) ?? 0);
      if (rewind && before !== undefined) {
        engine.restore(before.snapshot);
        offsets = new Map(before.offsets);
      }
      options.logger.warn({ position, offset: first.offset, rewound: rewind }, 'records delivered again');
    }
    if (now() - lastReload >= (options.reloadIntervalMs ?? 5_000)) {
      lastReload = now();
      for (const found of source.refresh())
        // A version with no activeFrom (trained by hand) is meant to take over at once.
        if (Number.isFinite(found.activeFrom) && found.activeFrom <= servedUpTo)
          warnLate(found, servedUpTo, stats, options.logger);
    }
    let since = Infinity;
    let until = -Infinity;
    for (const { value } of messages) {
      since = Math.min(since, value.timestamp);
      until = Math.max(until, value.timestamp);
    }
    if (source.changed(since, until)) {
      const reloaded = source.load(since, until);
      engine.setModels(reloaded);
      barsPerSymbol = widestWindow(reloaded);
      stats.reloads++;
      options.logger.info({ models: engine.versions() }, 'models reloaded');
    }
    // Everything handled so far is committed (batches are committed before the next one comes).
    const snapshot = engine.snapshot();
    before = { snapshot, offsets: new Map(offsets), position };
    if (store !== undefined && now() - lastSnapshot >= (options.snapshotIntervalMs ?? 5_000))
      await saveSnapshot(snapshot, offsets);

    const records: AppendRecord[] = [];
    const contract = TOPIC_CONTRACTS[ML_SIGNALS];
    for (const { record, value } of messages) {
      if (record.offset < (offsets.get(positionOf(record)) ?? 0)) continue;
      offsets.set(positionOf(record), record.offset + 1);
      stats.bars++;
      servedUpTo = Math.max(servedUpTo, value.timestamp);
      const clockNow = signalClock.contextOf(record);
      for (const signal of engine.onBar(value)) {
        const violations = contract.validate(signal, clockNow);
        if (violations.length > 0) {
          stats.rejectedSignals++;
          options.logger.warn(
            {
              symbol: signal.symbol,
              model: signal.metadata.model_version,
              violations: violations.map(describeViolation),
            },
            'signal not written: it breaks the contract',
          );
          continue;
        }
        records.push({
          key: contract.keyOf(signal),
          value: options.serde.encode(ML_SIGNALS, signal),
          timestamp: signal.timestamp,
        });
        stats.signals++;
      }
    }
    return records.length > 0 ? { append: [{ topic: outputTopic, records }] } : {};
  };

  let subscription: ValidatedSubscription;
  try {
    subscription = await subscribeValidated({
      log: options.log,
      serde: options.serde,
      topic: MARKET_DATA,
      readFrom: inputTopic,
      group,
      fromBeginning: options.fromBeginning ?? true,
      clock: options.clock,
      logger: options.logger,
      onAssigned,
      // Past the batch's dead letters and transaction markers: what the group commits for it.
      onDelivered: (partition, next) => {
        const position = `${inputTopic}/${partition}`;
        offsets.set(position, Math.max(offsets.get(position) ?? 0, next));
      },
      handler: handle,
    });
  } catch (error) {
    await store?.close();
    throw error;
  }
  return {
    async stop() {
      await subscription.stop();
      // The last batch is committed once stop returns: its state is safe to keep.
      await saveSnapshot(engine.snapshot(), offsets);
      await store?.close();
    },
    stats: () => ({ ...stats }),
    versions: () => engine.versions(),
    stuck: () => subscription.stalled() !== undefined,
    stuckReason: () => subscription.stalled(),
  };
}

/**
 * Says so when a new version is found after the stream had passed its activeFrom: the bars between
 * were served by the version before it, and a replay, which has it from the start, serves them with
 * it (the trainer's activation delay was shorter than the time the stream moved before the look).
 */
function warnLate(
  found: FoundVersion,
  servedUpTo: number,
  stats: SignalsProcessorStats,
  logger: Logger,
): void {
  stats.lateVersions++;
  logger.warn(
    {
      version: found.version,
      activeFrom: new Date(found.activeFrom).toISOString(),
      servedUpTo: new Date(servedUpTo).toISOString(),
    },
    'model version found after the stream passed its activeFrom: the bars between were served by the version before it, and a replay will serve them with this one (raise ml.trainer.activationDelayMs or lower ml.reloadIntervalMs)',
  );
}
