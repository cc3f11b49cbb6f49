import pRetry from 'p-retry';
import { CmlError, ErrorCodes, isCmlError } from '../errors/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { DiscordMessage } from './discord-message.ts';
import { bucketWaitMs, outcomeOf } from './rate-limit.ts';
import { sleep } from './sleep.ts';

/** What the runner needs from Discord: post one message, or fail having (most likely) not posted it. */
export interface WebhookPoster {
  /**
   * Posts `message`, waiting out rate limits and retrying server and network errors until it
   * succeeds. `signal` aborts the waits between attempts, never a request already sent: once
   * Discord may have the message, post() finishes and says so.
   */
  post(message: DiscordMessage, signal?: AbortSignal): Promise<PostedMessage>;
}

export interface PostedMessage {
  /** Discord's message id (the webhook is called with `?wait=true`, so the message comes back). */
  readonly id: string | undefined;
  /** Requests it took, 429s and failures included. */
  readonly requests: number;
}

/** Backoff between attempts after a 5xx or a network error (p-retry's options). */
export interface RetryPolicy {
  readonly retries: number;
  readonly minTimeout: number;
  readonly factor: number;
  readonly maxTimeout: number;
  readonly randomize: boolean;
}

/**
 * Retries forever: an outage of Discord or of the network must not lose a notification; the wait
 * grows from 0.5 s to at most 30 s, with jitter so restarted notifiers do not hammer in step.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: Number.POSITIVE_INFINITY,
  minTimeout: 500,
  factor: 2,
  maxTimeout: 30_000,
  randomize: true,
};

export interface DiscordWebhookOptions {
  readonly url: string;
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** A request that has not answered by then counts as a network error (default 15 s). */
  readonly requestTimeoutMs?: number;
  readonly now?: () => number;
}

/** The webhook URL without its token, for logs and errors: the token is a secret. */
export function redactWebhookUrl(url: string): string {
  return url.replace(/(\/webhooks\/[^/]+\/)[^/?#]+/, '$1***');
}

/**
 * Discord webhook over Node's fetch. Rate limits are honoured before they bite (an empty bucket
 * holds the next request until its reset) and when they do (a 429 waits what it asks, then sends
 * the same message again); 5xx answers and network errors are retried with p-retry's exponential
 * backoff. Any other 4xx fails at once with NOTIFY_WEBHOOK_REJECTED.
 */
export class DiscordWebhook implements WebhookPoster {
  private notBefore = 0;
  private readonly url: string;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;

  constructor(private readonly options: DiscordWebhookOptions) {
    const url = new URL(options.url);
    url.searchParams.set('wait', 'true');
    this.url = url.toString();
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.now = options.now ?? Date.now;
  }

  async post(message: DiscordMessage, signal?: AbortSignal): Promise<PostedMessage> {
    const body = JSON.stringify(message);
    let requests = 0;
    let posted: PostedMessage | undefined;
    try {
      await pRetry(
        async () => {
          const id = await this.send(body, signal, () => requests++);
          posted = { id, requests };
        },
        {
          ...this.policy,
          signal,
          shouldRetry: ({ error }) => !isCmlError(error) || error.canRetry,
          onFailedAttempt: ({ error, attemptNumber }) => {
            if (signal?.aborted === true) return;
            this.options.logger.warn(
              { err: error.message, attempt: attemptNumber, webhook: redactWebhookUrl(this.options.url) },
              'Discord post failed; retrying',
            );
          },
        },
      );
    } catch (error) {
      // p-retry checks the signal after a success too: a post that went through is still posted.
      if (posted === undefined) throw error;
    }
    return posted as PostedMessage;
  }

  /** One attempt: requests until an answer other than 429; returns the message id. */
  private async send(
    body: string,
    signal: AbortSignal | undefined,
    counted: () => void,
  ): Promise<string | undefined> {
    for (;;) {
      await sleep(this.notBefore - this.now(), signal);
      counted();
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000),
      });
      const answer = await readJson(response);
      const now = this.now();
      this.notBefore = Math.max(this.notBefore, now + bucketWaitMs(response.headers));
      const outcome = outcomeOf(response.status, response.headers, answer, now);
      switch (outcome.kind) {
        case 'posted':
          return (answer as { id?: string } | undefined)?.id;
        case 'rate-limited':
          this.notBefore = Math.max(this.notBefore, now + outcome.retryAfterMs);
          this.options.logger.warn(
            { retryAfterMs: outcome.retryAfterMs, scope: response.headers.get('x-ratelimit-scope') },
            'Discord rate limit hit; waiting',
          );
          continue;
        case 'server-error':
          throw new CmlError(ErrorCodes.NOTIFY_WEBHOOK_FAILED, `Discord answered ${response.status}`, {
            canRetry: true,
            details: { status: response.status },
          });
        case 'rejected':
          throw new CmlError(
            ErrorCodes.NOTIFY_WEBHOOK_REJECTED,
            `Discord rejected the webhook post with ${response.status}: ${JSON.stringify(answer)}`,
            {
              canRetry: false,
              hint:
                response.status === 401 || response.status === 403 || response.status === 404
                  ? `Check notify.discordWebhookUrl (DISCORD_WEBHOOK_URL): ${redactWebhookUrl(this.options.url)} is not a live webhook.`
                  : 'The message was refused as it is; see the answer above.',
              details: { status: response.status, answer },
            },
          );
        default: {
          const unhandled: never = outcome;
          throw new Error(`unhandled outcome ${JSON.stringify(unhandled)}`);
        }
      }
    }
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
