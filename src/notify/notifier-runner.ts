import { ORDERS, type OrderEvent } from '../contracts/index.ts';
import { CmlError, ErrorCodes, isCmlError } from '../errors/index.ts';
import type { LogPort, Subscription } from '../log/port.ts';
import { streamClock, subscribeValidated, Wakeup } from '../messaging/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { AvroSerde } from '../serde/index.ts';
import type { PostedMessage, WebhookPoster } from './discord-webhook.ts';
import { messageOf, type DiscordEmbed } from './discord-message.ts';
import { embedFor, notificationKey } from './order-embed.ts';
import { rejectsMessage } from './rate-limit.ts';

export interface NotifierRunnerOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  readonly webhook: WebhookPoster;
  /**
   * The notifier's group. Its progress (the offset after the last event posted) is committed in
   * `<group>.posted`; the subscription that reads ahead uses `<group>.orders`.
   */
  readonly group?: string;
  /** Another topic than crypto.orders (isolated runs, tests). */
  readonly ordersTopic?: string;
  /** Where a notifier with no progress yet starts: the log's beginning, or its end (default). */
  readonly fromBeginning?: boolean;
  /** Read-ahead bound: past it the subscription pauses until half the queue is posted (default 1,000). */
  readonly maxQueued?: number;
  /** Progress past events that post nothing (PENDING) is committed at most this often (default 1 s). */
  readonly idleCommitMs?: number;
  readonly onPosted?: (event: OrderEvent, offset: number, posted: PostedMessage) => void;
}

export const NOTIFIER_GROUP = 'discord-notifier';

interface Queued {
  readonly offset: number;
  readonly event: OrderEvent;
  readonly embed: DiscordEmbed;
}

/**
 * Posts the FILLED, CLOSED and CANCELLED events of crypto.orders to Discord, one at a time in log
 * order. After each post the offset after it is committed in `<group>.posted` (an atomic commit
 * through the log port: a Kafka transaction with sendOffsets, or one LMDB transaction), and only
 * then is the next event posted. On start, reading resumes from that committed offset.
 *
 * The guarantee: every event is posted at least once, in order, and a duplicate can come from one
 * place only: Discord accepted a post whose commit then never happened (the process died, or the
 * log was unreachable until it stopped), or whose answer never arrived (a timeout retried). Then
 * that single event is posted again; the window is one message per crash. A stop by stop() (Ctrl-C,
 * SIGTERM) waits for the post in flight and commits it, so restarts duplicate nothing.
 * Nothing on our side can close the crash window: Discord webhooks take no idempotency key, and a
 * message can only be looked up by the id its answer carries, which is exactly what a crash loses.
 * So every post carries its key (`order_id:status`) in the footer, and a repeat is recognisable.
 */
export class NotifierRunner {
  private queue: Queued[] = [];
  /** Every record below this offset has been read: posted, queued, or nothing to post. */
  private readNext = 0;
  private committed = 0;
  private lastCommit = 0;
  private subscription: Subscription | undefined;
  private readonly wakeup = new Wakeup();
  private readonly abort = new AbortController();
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private postedCount = 0;
  private skippedCount = 0;
  private failed: ((error: unknown) => void) | undefined;
  /** Settles when the runner stops: rejected if a rejection by Discord stopped it. */
  readonly done: Promise<void>;
  private finished!: () => void;

  constructor(private readonly options: NotifierRunnerOptions) {
    this.done = new Promise<void>((resolve, reject) => {
      this.finished = resolve;
      this.failed = reject;
    });
    // Whoever awaits `done` sees the failure; nobody awaiting it must not crash the process.
    this.done.catch(() => undefined);
  }

  private get group(): string {
    return this.options.group ?? NOTIFIER_GROUP;
  }
  private get progressGroup(): string {
    return `${this.group}.posted`;
  }
  private get topic(): string {
    return this.options.ordersTopic ?? ORDERS;
  }

  /** Events posted since start. */
  get posted(): number {
    return this.postedCount;
  }
  /** Events Discord refused as malformed (logged, not posted, passed). */
  get skipped(): number {
    return this.skippedCount;
  }

  async start(): Promise<void> {
    const { log } = this.options;
    const partitions = await log.partitionCount(this.topic);
    if (partitions !== 1) {
      throw new CmlError(
        ErrorCodes.TOPIC_DRIFT,
        `${this.topic} has ${partitions} partitions; the notifier posts in log order and needs exactly 1`,
        { hint: `Recreate ${this.topic} with 1 partition, or remove its "partitions" override.` },
      );
    }
    let start = (await log.committedOffsets(this.progressGroup, this.topic)).get(0);
    if (start === undefined) {
      start = this.options.fromBeginning === true ? 0 : ((await log.endOffsets(this.topic)).get(0) ?? 0);
      // Recorded at once: a restart before the first post must not skip what arrived meanwhile.
      await this.commit(start);
    }
    this.committed = start;
    this.readNext = start;
    await this.subscribe();
    this.running = true;
    this.loop = this.postLoop();
    this.options.logger.info({ group: this.group, topic: this.topic, from: start }, 'notifier started');
  }

  private async subscribe(): Promise<void> {
    const { log, serde, logger } = this.options;
    this.subscription = await subscribeValidated({
      log,
      serde,
      logger,
      topic: ORDERS,
      readFrom: this.topic,
      group: `${this.group}.orders`,
      fromBeginning: true,
      startAt: () => this.readNext,
      clock: streamClock(),
      onDelivered: (_partition, next) => {
        this.readNext = Math.max(this.readNext, next);
        this.wakeup.ring();
      },
      handler: (messages) => {
        for (const { record, value } of messages) {
          if (record.offset < this.readNext) continue;
          const embed = embedFor(value);
          if (embed !== undefined) this.queue.push({ offset: record.offset, event: value, embed });
          this.readNext = record.offset + 1;
        }
        this.wakeup.ring();
        return Promise.resolve();
      },
    });
  }

  /** Where a restart must resume: the first queued event, or everything read when none is. */
  private progress(): number {
    return this.queue[0]?.offset ?? this.readNext;
  }

  private async postLoop(): Promise<void> {
    const maxQueued = this.options.maxQueued ?? 1_000;
    const idleCommitMs = this.options.idleCommitMs ?? 1_000;
    while (this.running) {
      try {
        await this.flowControl(maxQueued);
        const next = this.queue[0];
        if (next !== undefined) {
          await this.postOne(next);
          continue;
        }
        if (this.progress() > this.committed && Date.now() - this.lastCommit >= idleCommitMs)
          await this.commit(this.progress());
        await this.wakeup.wait(idleCommitMs);
      } catch (error) {
        if (!this.running) break;
        if (isCmlError(error) && error.code === ErrorCodes.NOTIFY_WEBHOOK_REJECTED) {
          this.options.logger.error(
            { err: error.describe() },
            'Discord refuses the webhook; notifier stopped',
          );
          this.running = false;
          await this.subscription?.stop();
          this.subscription = undefined;
          this.failed?.(error);
          return;
        }
        this.options.logger.warn({ err: (error as Error).message }, 'notifier step failed; retrying');
        await this.wakeup.wait(1_000);
      }
    }
    this.finished();
  }

  /** Pauses reading while the queue is full, so a long backlog is not held in memory at once. */
  private async flowControl(maxQueued: number): Promise<void> {
    if (this.subscription !== undefined && this.queue.length >= maxQueued) {
      await this.subscription.stop();
      this.subscription = undefined;
    } else if (this.subscription === undefined && this.queue.length <= maxQueued / 2) {
      await this.subscribe();
    }
  }

  private async postOne(next: Queued): Promise<void> {
    let posted: PostedMessage | undefined;
    try {
      posted = await this.options.webhook.post(messageOf(next.embed), this.abort.signal);
    } catch (error) {
      const status = isCmlError(error) ? error.details.status : undefined;
      if (!(typeof status === 'number' && rejectsMessage(status))) throw error;
      this.options.logger.error(
        { key: notificationKey(next.event), offset: next.offset, err: (error as Error).message },
        'Discord refused this message; skipped',
      );
      this.skippedCount++;
    }
    this.queue.shift();
    await this.commitPosted(this.progress());
    if (posted !== undefined) {
      this.postedCount++;
      this.options.onPosted?.(next.event, next.offset, posted);
    }
  }

  /**
   * Commits after a post, retrying until it holds: the next event is posted only once this one is
   * recorded, which keeps the duplicate window at one message. Tried once more when stopping.
   */
  private async commitPosted(offset: number): Promise<void> {
    for (;;) {
      try {
        await this.commit(offset);
        return;
      } catch (error) {
        if (!this.running) throw error;
        this.options.logger.warn(
          { err: (error as Error).message, offset },
          'progress commit failed; retrying',
        );
        await this.wakeup.wait(1_000);
      }
    }
  }

  private async commit(offset: number): Promise<void> {
    await this.options.log.append([], {
      group: this.progressGroup,
      topic: this.topic,
      offsets: new Map([[0, offset]]),
    });
    this.committed = offset;
    this.lastCommit = Date.now();
  }

  /** Whether every event in the log is posted and committed (tests, scripts). */
  async caughtUp(): Promise<boolean> {
    if (this.queue.length > 0) return false;
    const end = (await this.options.log.endOffsets(this.topic)).get(0) ?? 0;
    return this.committed >= end;
  }

  /** Stops after the post in flight, which is committed; waits between attempts are cut short. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort(new Error('notifier stopping'));
    this.wakeup.ring();
    await this.loop;
    await this.subscription?.stop();
    this.subscription = undefined;
    this.finished();
  }
}
