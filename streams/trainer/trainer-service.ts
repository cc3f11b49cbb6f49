import { MARKET_DATA, TOPIC_CONTRACTS } from '../../src/contracts/index.ts';
import type { LogPort } from '../../src/log/port.ts';
import { streamClock } from '../../src/messaging/index.ts';
import {
  codeVersion,
  MIN_TRAINING_ROWS,
  fitModels,
  labelledRowsAtMost,
  latestArtifacts,
  readArtifact,
  reportedScores,
  saveArtifact,
  slotOf,
  type ArtifactProvenance,
  type ModelArtifact,
  type ModelSpec,
  type TrainSettings,
} from '../../src/ml/index.ts';
import type { Logger } from '../../src/observability/logger.ts';
import { startTsWorker } from '../../src/runtime/ts-worker.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { TrainingWindow, retrainDue } from './training-window.ts';
import type { TrainerWorkerReply } from './trainer-worker.ts';

export interface TrainerOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  readonly modelsDir: string;
  readonly specs: readonly ModelSpec[];
  readonly settings: TrainSettings;
  /** Event time of bars trained on, behind the newest one. */
  readonly windowMs: number;
  /** Event time between the data of two versions. */
  readonly intervalMs: number;
  /** A version serves from the newest bar in the log at publication plus this much event time. */
  readonly activationDelayMs: number;
  /** Wall-clock time between two looks at the log. */
  readonly checkMs: number;
  /** Topic to read instead of crypto.market_data (isolated tests). */
  readonly readFrom?: string;
  /** Fit in this thread rather than in a worker thread (measurements). */
  readonly inThread?: boolean;
}

export interface TrainerStats {
  retrains: number;
  /** Retrains that could not fit (e.g. too few bars yet). */
  failures: number;
  barsRead: number;
  /** How long the last fit took, wall clock, in seconds. */
  lastFitSeconds: number;
  /** The versions published, oldest first. */
  published: string[];
}

export interface Trainer {
  stats(): Readonly<TrainerStats>;
  stop(): Promise<void>;
}

const READ_CHUNK = 10_000;

type Fitted = Extract<TrainerWorkerReply, { kind: 'fitted' }>['artifacts'];

/** Fits the models in a worker thread, so a retrain never holds up the processors of this process. */
function fitInWorker(
  data: Parameters<typeof fitModels>[0],
  onWorker: (terminate: () => Promise<number>) => void,
): Promise<TrainerWorkerReply> {
  const worker = startTsWorker(new URL('./trainer-worker.ts', import.meta.url), data);
  onWorker(() => worker.terminate());
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the trainer's worker thread exited (code ${code})`)));
  });
}

/** The newest trainer-made version of each slot: what the schedule resumes from after a restart. */
function resumePoint(
  modelsDir: string,
  slots: readonly string[],
): { trainedTo: number | undefined; activeFrom: number } {
  const latest = latestArtifacts(modelsDir);
  let trainedTo: number | undefined = Infinity;
  let activeFrom = -Infinity;
  for (const slot of slots) {
    const stored = latest.get(slot);
    const provenance = stored === undefined ? undefined : readArtifact(stored.path).provenance;
    if (provenance === undefined) trainedTo = undefined;
    else {
      if (trainedTo !== undefined) trainedTo = Math.min(trainedTo, provenance.dataTo);
      activeFrom = Math.max(activeFrom, provenance.activeFrom);
    }
  }
  return { trainedTo, activeFrom };
}

/**
 * The trainer service: reads crypto.market_data as it grows (no consumer group: it only reads),
 * and once the newest bar is `intervalMs` past the data of the last version it trained, fits every
 * served model on the bars of the last `windowMs` in a worker thread and publishes each as the next
 * version of its slot, with its provenance: data range, the offsets read, the code, its scores and
 * `activeFrom`, the event time it serves from. That time is ahead of every bar in the log when it
 * is published, so the signals processor, which serves each bar with the version live at its time,
 * writes what a replay of the log with the same versions writes.
 */
export function startTrainer(options: TrainerOptions): Trainer {
  const topic = options.readFrom ?? MARKET_DATA;
  const window = new TrainingWindow(options.windowMs);
  const slots = options.specs.map((spec) => slotOf(spec.model, spec.target, options.settings.horizonBars));
  let { trainedTo, activeFrom: lastActiveFrom } = resumePoint(options.modelsDir, slots);
  const stats: TrainerStats = { retrains: 0, failures: 0, barsRead: 0, lastFitSeconds: 0, published: [] };
  const clock = streamClock();
  const contract = TOPIC_CONTRACTS[MARKET_DATA];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let terminate: (() => Promise<number>) | undefined;
  /** The newest bar time at a fit that found too few bars: not tried again before a newer bar. */
  let tooFewAt: number | undefined;
  let lastFailure: string | undefined;

  /** Each partition's end offset when last read to it: a partition whose end has not moved is not read again. */
  const readEnds = new Map<number, number>();
  const readNew = async (): Promise<void> => {
    for (const [partition, end] of await options.log.endOffsets(topic)) {
      // On Kafka a read is a consumer of its own, and the end counts transaction markers, which no read returns.
      if (end <= (readEnds.get(partition) ?? 0)) continue;
      let from = window.offsets.get(partition) ?? 0;
      while (from < end && !stopped) {
        const records = await options.log.read(topic, partition, from, Math.min(READ_CHUNK, end - from));
        if (records.length === 0) break;
        for (const record of records) {
          try {
            const bar = await options.serde.decode(MARKET_DATA, record.value);
            // Bars the processors dead-letter are not trained on either.
            if (contract.validate(bar, clock.contextOf(record)).length > 0) continue;
            clock.accepted(record);
            window.add(bar, partition, record.offset);
            stats.barsRead++;
          } catch {
            // Undecodable: the processors dead-letter it.
          }
        }
        from = (records.at(-1)?.offset ?? from) + 1;
        window.readUpTo(partition, from);
        // A long history is read chunk by chunk without ever holding more than the window.
        window.trim();
      }
      if (!stopped) readEnds.set(partition, end);
    }
  };

  const fit = async (bars: Parameters<typeof fitModels>[0]['bars']): Promise<TrainerWorkerReply> => {
    const data = { bars, specs: options.specs, settings: options.settings };
    if (options.inThread === true)
      try {
        return { kind: 'fitted', artifacts: fitModels(data) };
      } catch (error) {
        return { kind: 'failed', message: (error as Error).message, tooFewBars: error instanceof RangeError };
      }
    return fitInWorker(data, (stop) => (terminate = stop));
  };

  const publish = (fitted: Fitted, provenance: Omit<ArtifactProvenance, 'scores'>): ModelArtifact[] =>
    fitted.map((artifact) => {
      const { r2, mae } = reportedScores(artifact);
      const scores = {
        r2,
        mae,
        accuracy: artifact.metrics.signal.accuracy,
        baselineAccuracy: artifact.baselines.lastPrice.signal.accuracy,
      };
      return saveArtifact(options.modelsDir, { ...artifact, provenance: { ...provenance, scores } }).artifact;
    });

  const retrain = async (): Promise<void> => {
    await readNew();
    if (stopped || !retrainDue(window.newest, trainedTo, options.intervalMs)) return;
    if (tooFewAt !== undefined && window.newest <= tooFewAt) return;
    const bars = window.bars();
    const rows = labelledRowsAtMost(bars, options.settings);
    if (rows < MIN_TRAINING_ROWS) {
      // Not worth a worker thread: the warm-up and the horizon leave too few rows yet.
      if (lastFailure !== 'too few bars')
        options.logger.info(
          { bars: bars.length, rows, needed: MIN_TRAINING_ROWS },
          "trainer: waiting for bars (the features' warm-up and the horizon leave too few labelled rows)",
        );
      lastFailure = 'too few bars';
      return;
    }
    const offsets = Object.fromEntries([...window.offsets].map(([p, o]) => [String(p), o]));
    const started = performance.now();
    const reply = await fit(bars);
    terminate = undefined;
    if (stopped) return;
    stats.lastFitSeconds = (performance.now() - started) / 1000;
    if (reply.kind === 'failed') {
      stats.failures++;
      if (reply.tooFewBars) tooFewAt = window.newest;
      if (reply.message !== lastFailure)
        options.logger.warn({ bars: bars.length, reason: reply.message }, 'trainer: no new version');
      lastFailure = reply.message;
      return;
    }
    lastFailure = undefined;
    // Ahead of every bar in the log now, so no bar the processor has served falls after it.
    await readNew();
    const activeFrom = Math.max(window.newest + options.activationDelayMs, lastActiveFrom + 1);
    const dataFrom = (bars[0] as (typeof bars)[number]).timestamp;
    const dataTo = (bars.at(-1) as (typeof bars)[number]).timestamp;
    const published = publish(reply.artifacts, {
      activeFrom,
      dataFrom,
      dataTo,
      bars: bars.length,
      topic,
      offsets,
      code: codeVersion(),
      trainer: { windowMs: options.windowMs, intervalMs: options.intervalMs },
    });
    trainedTo = dataTo;
    lastActiveFrom = activeFrom;
    stats.retrains++;
    stats.published.push(...published.map((artifact) => artifact.version));
    options.logger.info(
      {
        versions: published.map((artifact) => artifact.version),
        activeFrom: new Date(activeFrom).toISOString(),
        data: `${new Date(dataFrom).toISOString()} .. ${new Date(dataTo).toISOString()}`,
        bars: bars.length,
        fitSeconds: Number(stats.lastFitSeconds.toFixed(2)),
      },
      'trainer: model versions published',
    );
  };

  let running: Promise<void> = Promise.resolve();
  const schedule = (delay: number): void => {
    timer = setTimeout(() => {
      running = retrain()
        .catch((error: unknown) => {
          if (stopped) return; // the worker was terminated by stop()
          stats.failures++;
          options.logger.error({ err: error }, 'trainer: retrain failed');
        })
        .finally(() => {
          if (!stopped) schedule(options.checkMs);
        });
    }, delay);
  };
  schedule(0);
  options.logger.info(
    { slots, windowMs: options.windowMs, intervalMs: options.intervalMs, resumesAfter: trainedTo },
    'trainer starting',
  );

  return {
    stats: () => ({ ...stats, published: [...stats.published] }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await terminate?.();
      await running;
    },
  };
}
