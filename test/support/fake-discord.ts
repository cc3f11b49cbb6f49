import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
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

/** One bulk overwrite of an application's commands (`cml discord register`). */
export interface CommandRegistration {
  readonly applicationId: string;
  readonly guildId: string | undefined;
  readonly authorization: string | undefined;
  readonly commands: ReadonlyArray<{ readonly name: string }>;
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
  /** The bot token the REST API accepts (`Authorization: Bot <token>`). */
  botToken = 'fake-bot-token-0123456789';
  /** Every PUT of commands that arrived, accepted or not. */
  readonly registrations: CommandRegistration[] = [];
  /** Discord's REST base on this fake (after listen()), e.g. http://127.0.0.1:1234/api/v10. */
  apiUrl = '';

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
    this.overwriteCommands();
  }

  /**
   * Discord's bulk overwrite of application commands, global or per server: 401 without the bot
   * token, the script's answer when one is queued, else the commands back with ids.
   */
  private overwriteCommands(): void {
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const params = request.params as { app: string; guild?: string };
      const { authorization } = request.headers;
      const commands = request.body as Array<{ name: string }>;
      this.registrations.push({ applicationId: params.app, guildId: params.guild, authorization, commands });
      if (authorization !== `Bot ${this.botToken}`)
        return reply.code(401).send({ message: '401: Unauthorized', code: 0 });
      const scripted = this.script.shift();
      if (scripted !== undefined)
        return reply
          .code(scripted.status)
          .headers(scripted.headers ?? {})
          .send(scripted.body ?? null);
      return reply
        .code(200)
        .send(commands.map((c, i) => ({ ...c, id: String(1_000 + i), application_id: params.app })));
    };
    this.app.put('/api/v10/applications/:app/commands', handler);
    this.app.put('/api/v10/applications/:app/guilds/:guild/commands', handler);
  }

  /** Answers the next requests with these, in order, then posts again. */
  answerNext(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  async listen(): Promise<string> {
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = this.app.server.address() as AddressInfo;
    this.apiUrl = `http://127.0.0.1:${port}/api/v10`;
    return `http://127.0.0.1:${port}/api/webhooks/123456/secret-token`;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
