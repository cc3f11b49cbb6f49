import { ML_SIGNALS, type MlSignal } from '../contracts/index.ts';
import { isCmlError } from '../errors/index.ts';
import type { LogPort, Subscription } from '../log/port.ts';
import { streamClock, subscribeValidated } from '../messaging/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { AvroSerde } from '../serde/index.ts';
import type { WebhookPoster } from './discord-webhook.ts';
import { messageOf } from './discord-message.ts';
import { fullBudget, takePost, type PostBudget } from './post-budget.ts';
import { shouldPostSignal, signalEmbed, signalKey } from './signal-embed.ts';

export interface SignalNotifierOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  readonly webhook: WebhookPoster;
  /** BUY and SELL signals at or above this confidence are posted. */
  readonly minConfidence: number;
  /** Posts a minute at most; the signals beyond are dropped (default 6). */
  readonly perMinute?: number;
  /** The consumer group (default `discord-notifier.signals`). */
  readonly group?: string;
  /** Another topic than crypto.ml_signals (tests). */
  readonly signalsTopic?: string;
  /** Where a group with no progress starts (default: only new signals). */
  readonly fromBeginning?: boolean;
  readonly now?: () => number;
  readonly onPosted?: (signal: MlSignal) => void;
}

/**
 * The seed's "notifier bot" reader of crypto.ml_signals: posts BUY and SELL signals of at least the
 * configured confidence to the webhook. Best effort, unlike the order notifier: a signal is
 * information, not a ledger entry, so a signal over the rate budget, or one Discord refuses, is
 * dropped and counted, and progress is committed as signals are read (a restart posts none twice
 * and catches up on none it missed while down beyond the budget).
 */
export class SignalNotifier {
  private subscription: Subscription | undefined;
  private budget: PostBudget;
  private readonly abort = new AbortController();
  private readonly counts = { posted: 0, dropped: 0, failed: 0 };

  constructor(private readonly options: SignalNotifierOptions) {
    this.budget = fullBudget(this.perMinute, this.now());
  }

  private get perMinute(): number {
    return this.options.perMinute ?? 6;
  }
  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Signals posted, dropped over the budget, and failed (refused by Discord, or its answer lost). */
  stats(): { posted: number; dropped: number; failed: number } {
    return { ...this.counts };
  }

  async start(): Promise<void> {
    const { log, serde, logger } = this.options;
    this.subscription = await subscribeValidated({
      log,
      serde,
      logger,
      topic: ML_SIGNALS,
      readFrom: this.options.signalsTopic ?? ML_SIGNALS,
      group: this.options.group ?? 'discord-notifier.signals',
      fromBeginning: this.options.fromBeginning ?? false,
      clock: streamClock(),
      handler: async (messages) => {
        for (const { value } of messages) {
          if (this.abort.signal.aborted) return;
          if (!shouldPostSignal(value, this.options.minConfidence)) continue;
          const taken = takePost(this.budget, this.now(), this.perMinute);
          this.budget = taken.budget;
          if (!taken.allowed) {
            this.counts.dropped++;
            logger.debug({ key: signalKey(value) }, 'signal over the post budget; dropped');
            continue;
          }
          await this.post(value);
        }
      },
    });
    logger.info(
      { minConfidence: this.options.minConfidence, perMinute: this.perMinute },
      'Discord signal notifier started',
    );
  }

  private async post(signal: MlSignal): Promise<void> {
    try {
      await this.options.webhook.post(messageOf(signalEmbed(signal)), this.abort.signal);
      this.counts.posted++;
      this.options.onPosted?.(signal);
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.counts.failed++;
      this.options.logger.warn(
        { key: signalKey(signal), err: isCmlError(error) ? error.describe() : (error as Error).message },
        'signal not posted',
      );
    }
  }

  /** Stops after the batch in flight; a wait for Discord's rate limit is cut short. */
  async stop(): Promise<void> {
    this.abort.abort(new Error('signal notifier stopping'));
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
