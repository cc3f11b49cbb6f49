import type { DataTopic, TopicValues } from '../contracts/index.ts';
import type { GroupCommit, LogPort, TopicAppend } from '../log/port.ts';
import type { Logger } from '../observability/logger.ts';
import type { AvroSerde } from '../serde/index.ts';
import { streamClock, type ValidationClock } from './clocks.ts';
import { EventTimeMerge, type MergeItem } from './event-time-merge.ts';
import { subscribeValidated, type ValidatedSubscription, type ValidMessage } from './validated-consumer.ts';
import { Wakeup } from './wakeup.ts';

/** At most this many messages are released to the loop at once (a backlog is stepped in slices). */
const RELEASE_LIMIT = 1_000;

/** What a step may do besides returning its output. */
export interface StepControl {
  /** Whether the processor is still running (a step waiting on others gives up when it is not). */
  running(): boolean;
  /** Waits for `ms`, or less when the processor is woken (new input, stop). */
  wait(ms: number): Promise<void>;
  /**
   * Commits the progress made so far. A step about to wait for another processor calls it first:
   * that processor may be waiting for this one's progress.
   */
  flush(): Promise<void>;
}

/** A step's output: records appended atomically with the step's progress, then `applied()`. */
export interface StepOutput {
  readonly append: readonly TopicAppend[];
  /** Called once the append is durable (state that must not run ahead of the log). */
  readonly applied?: () => void;
}

export interface OrderedProcessorOptions<K extends DataTopic> {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  readonly topic: K;
  /** The topic to read when it is not the contract's own (an isolated copy, a test). */
  readonly readFrom?: string;
  /**
   * The processor's group: its committed offsets are the progress, committed with the output.
   * The subscription that feeds the merge uses `<group>.input`.
   */
  readonly group: string;
  /** Freshness clock of the input: the stream's own (default) or the wall clock live. */
  readonly clock?: ValidationClock;
  /**
   * Before a record at time T is released: whether its upstream has delivered everything before
   * T. Once true for T it must stay true for T and every earlier time (see EventTimeMerge).
   */
  readonly ready?: (time: number) => Promise<boolean>;
  /** Handles one message; `undefined` when stopped while waiting. */
  readonly step: (message: ValidMessage<K>, control: StepControl) => Promise<StepOutput | undefined>;
  readonly pollMs?: number;
  /** Progress without output is committed at most this often (and whenever the processor goes idle or waits). */
  readonly commitEveryMs?: number;
  /** Told after every step, with its duration in seconds (metrics). */
  readonly onStep?: (seconds: number) => void;
  /** Input waiting and no step finished for this long: the processor reports itself stuck (default 120 s). */
  readonly stuckAfterMs?: number;
}

/**
 * Runs a step over one topic's messages one at a time, in event-time order across partitions,
 * and appends each step's output together with the offsets it covers, atomically. A restart
 * resumes at the committed offsets, so every message's output is in the log exactly once, and the
 * order of steps is the same however the partitions' deliveries interleave.
 */
export class OrderedProcessor<K extends DataTopic> {
  private progress = new Map<number, number>();
  private partitions = 0;
  /**
   * The processor's event time: every message before it has been stepped, on every partition
   * (the merge releases in time order). Committed with the progress as each partition's latest
   * time, so a stage waiting for this one knows how far it got, even mid-step.
   */
  private watermark = Number.NEGATIVE_INFINITY;
  private committedWatermark = Number.NEGATIVE_INFINITY;
  private merge!: EventTimeMerge<TopicValues[K]>;
  private subscription: ValidatedSubscription | undefined;
  private readonly wakeup = new Wakeup();
  private stopWatchingCommits: (() => void) | undefined;
  private isRunning = false;
  private loop: Promise<void> = Promise.resolve();
  private uncommitted = false;
  private lastCommit = 0;
  private inFlight = 0;
  private count = 0;
  private lastProgress = Date.now();

  constructor(private readonly options: OrderedProcessorOptions<K>) {}

  private get source(): string {
    return this.options.readFrom ?? this.options.topic;
  }

  /** Messages stepped since start. */
  get processed(): number {
    return this.count;
  }

  /** Wakes a waiting step (another input of the processor changed). */
  ring(): void {
    this.wakeup.ring();
  }

  async start(): Promise<void> {
    const { log } = this.options;
    const positions = await log.committedPositions(this.options.group, this.source);
    this.progress = new Map([...positions].map(([partition, { offset }]) => [partition, offset]));
    for (const { lastTime } of positions.values())
      if (lastTime !== undefined) this.watermark = Math.max(this.watermark, lastTime);
    this.committedWatermark = this.watermark;
    this.partitions = await log.partitionCount(this.source);
    this.merge = new EventTimeMerge<TopicValues[K]>(
      this.partitions,
      () => log.endOffsets(this.source),
      this.progress,
      this.options.ready,
    );
    this.subscription = await subscribeValidated({
      log,
      serde: this.options.serde,
      logger: this.options.logger,
      topic: this.options.topic,
      readFrom: this.source,
      group: `${this.options.group}.input`,
      fromBeginning: true,
      startAt: (_topic, partition) => this.progress.get(partition) ?? 0,
      clock: this.options.clock ?? streamClock(),
      onDelivered: (partition, next) => {
        this.merge.delivered(partition, next);
        this.wakeup.ring();
      },
      handler: (messages) => {
        for (const message of messages) this.merge.push(message);
        this.wakeup.ring();
        return Promise.resolve();
      },
    });
    // A step may wait for another stage's progress (control.wait): woken by its commit where the
    // log can tell, instead of at the next poll.
    this.stopWatchingCommits = log.onCommit?.(() => this.wakeup.ring());
    this.isRunning = true;
    this.loop = this.run();
  }

  private readonly control: StepControl = {
    running: () => this.isRunning,
    wait: (ms) => this.wakeup.wait(ms),
    flush: () =>
      this.uncommitted || this.watermark > this.committedWatermark ? this.commit() : Promise.resolve(),
  };

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 20;
    /** Released by the merge and not stepped yet. */
    let unstepped: MergeItem<TopicValues[K]>[] = [];
    while (this.isRunning) {
      try {
        const messages = await this.merge.release(Number.POSITIVE_INFINITY, RELEASE_LIMIT);
        unstepped = [...messages];
        this.inFlight = messages.length;
        for (const message of messages) {
          // Stopping never waits for a backlog: what is not stepped is read again at the next start.
          if (!this.isRunning) return;
          const began = process.hrtime.bigint();
          this.watermark = Math.max(this.watermark, message.record.timestamp);
          const output = await this.options.step(message, this.control);
          if (output === undefined) return;
          const progress = new Map(this.progress).set(message.record.partition, message.record.offset + 1);
          if (output.append.some((a) => a.records.length > 0)) {
            await this.options.log.append(output.append, this.groupCommit(progress));
            this.committedWatermark = this.watermark;
            this.lastCommit = Date.now();
          } else {
            this.uncommitted = true;
          }
          output.applied?.();
          this.progress = progress;
          unstepped.shift();
          this.inFlight--;
          this.count++;
          this.lastProgress = Date.now();
          this.options.onStep?.(Number(process.hrtime.bigint() - began) / 1e9);
        }
        if (messages.length === 0) {
          if (this.merge.size === 0) this.passSkipped();
          if (this.uncommitted) await this.commit();
          await this.wakeup.wait(pollMs * 10);
        } else if (
          this.uncommitted &&
          Date.now() - this.lastCommit >= (this.options.commitEveryMs ?? 1_000)
        ) {
          await this.commit();
        }
      } catch (error) {
        // The broker may be restarting: nothing of the failed step was applied. It and the
        // messages released after it go back to the merge, to run again in the same order.
        this.merge.requeue(unstepped);
        unstepped = [];
        this.inFlight = 0;
        this.options.logger.warn(
          { group: this.options.group, err: (error as Error).message },
          'step failed; retrying',
        );
        await this.wakeup.wait(1_000);
      }
    }
  }

  /**
   * With nothing queued, everything read has been stepped: the progress moves past what was read
   * but never handed over (transaction markers, dead-lettered records), so the group's lag reaches 0.
   */
  private passSkipped(): void {
    for (const [partition, next] of this.merge.receivedOffsets()) {
      if (next > (this.progress.get(partition) ?? 0)) {
        this.progress = new Map(this.progress).set(partition, next);
        this.uncommitted = true;
      }
    }
  }

  /**
   * The progress to commit: every partition's next offset (those not stepped yet where they
   * start) with the watermark as its latest time.
   */
  private groupCommit(progress: ReadonlyMap<number, number>): GroupCommit {
    const offsets = new Map<number, number>();
    const lastTimes = new Map<number, number>();
    for (let partition = 0; partition < this.partitions; partition++) {
      offsets.set(partition, progress.get(partition) ?? 0);
      if (Number.isFinite(this.watermark)) lastTimes.set(partition, this.watermark);
    }
    return { group: this.options.group, topic: this.source, offsets, lastTimes };
  }

  private async commit(): Promise<void> {
    await this.options.log.append([], this.groupCommit(this.progress));
    this.committedWatermark = this.watermark;
    this.uncommitted = false;
    this.lastCommit = Date.now();
  }

  /**
   * Whether input is waiting and no step has finished for `stuckAfterMs` (the processor, or an
   * upstream one it waits for, has stopped moving), or every record read lately was dead-lettered
   * (liveness).
   */
  stuck(): boolean {
    return this.stuckReason() !== undefined;
  }

  /** Why the processor is stuck, or undefined. */
  stuckReason(): string | undefined {
    const waiting = this.isRunning && (this.merge.size > 0 || this.inFlight > 0);
    if (!waiting) this.lastProgress = Date.now();
    const limit = this.options.stuckAfterMs ?? 120_000;
    if (waiting && Date.now() - this.lastProgress > limit)
      return `input waiting and no step finished for ${Math.round((Date.now() - this.lastProgress) / 1000)} s`;
    return this.subscription?.stalled();
  }

  /** Whether every message in the log is stepped and its progress committed. */
  async caughtUp(): Promise<boolean> {
    if (this.merge.size > 0 || this.inFlight > 0 || this.uncommitted) return false;
    const ends = await this.options.log.endOffsets(this.source);
    return this.merge.receivedAll(ends) && this.merge.size === 0 && this.inFlight === 0 && !this.uncommitted;
  }

  async stop(): Promise<void> {
    this.isRunning = false;
    this.stopWatchingCommits?.();
    this.stopWatchingCommits = undefined;
    this.wakeup.ring();
    await this.loop;
    await this.subscription?.stop();
    this.subscription = undefined;
    if (this.uncommitted) await this.commit().catch(() => undefined);
  }
}
