import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DiscordMessage } from '../../src/notify/index.ts';

/** One answer the fake gives instead of posting: a status, headers, a JSON body. */
export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export interface WebhookRequest {
  /** Date.now() when the request arrived. */
  readonly receivedAt: number;
  readonly message: DiscordMessage;
  /** The footer key of the first embed (order_id:status): what a reader sees to tell posts apart. */
  readonly key: string;
  readonly wait: boolean;
  /** Answered from the script rather than posted by the fake. */
  scripted: boolean;
  /** Status answered, and Date.now() just before the answer went out. */
  status: number;
  answeredAt: number;
}

/**
 * A local stand-in for a Discord webhook (`POST /api/webhooks/:id/:token`) on loopback. It posts
 * by default (200 with the message and its id, `?wait=true` being honoured), and answers the next
 * requests from a script instead: 429s with `retry_after` or `Retry-After`, 5xx, 4xx, or bucket
 * headers. `posted` holds the keys of what Discord would show, in order.
 */
export class FakeDiscord {
  readonly app: FastifyInstance;
  readonly requests: WebhookRequest[] = [];
  readonly posted: string[] = [];
  private readonly script: ScriptedAnswer[] = [];
  /** Called with each posted key; the test can stop a runner from there. */
  onPosted: ((key: string, count: number) => void) | undefined;
  /** A delay before each answer, ms. */
  latencyMs = 0;

  constructor() {
    this.app = Fastify();
    this.app.post('/api/webhooks/:id/:token', async (request, reply) => {
      const message = request.body as DiscordMessage;
      const entry: WebhookRequest = {
        receivedAt: Date.now(),
        message,
        key: message.embeds[0]?.footer?.text.split(' ')[0] ?? '',
        wait: (request.query as Record<string, string>).wait === 'true',
        scripted: false,
        status: 0,
        answeredAt: 0,
      };
      this.requests.push(entry);
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      const scripted = this.script.shift();
      if (scripted !== undefined) {
        entry.scripted = true;
        entry.status = scripted.status;
        entry.answeredAt = Date.now();
        return reply
          .code(scripted.status)
          .headers(scripted.headers ?? {})
          .send(scripted.body ?? null);
      }
      this.posted.push(entry.key);
      entry.status = 200;
      entry.answeredAt = Date.now();
      this.onPosted?.(entry.key, this.posted.length);
      return reply
        .code(200)
        .headers({ 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '4', 'x-ratelimit-reset-after': '0.5' })
        .send({ id: String(this.posted.length), ...message });
    });
  }

  /** Answers the next requests with these, in order, then posts again. */
  answerNext(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  async listen(): Promise<string> {
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = this.app.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/webhooks/123456/secret-token`;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
