import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../../projections/signals/signal-store.ts';
import { portfolioView, type PortfolioView } from '../../../src/api/index.ts';
import type { OperatorControls } from '../../../src/controls/operator-controls.ts';
import type { PipelineHealth } from '../../../src/dashboard/index.ts';
import { EPHEMERAL, INTERACTIONS_PATH, type InteractionResponse } from '../../../src/discord/index.ts';
import { CmlError, ErrorCodes } from '../../../src/errors/index.ts';
import { formatPrice, formatUsdt } from '../../../src/notify/format.ts';
import { DiscordSigner, type CommandInvocation } from '../../support/discord-signer.ts';
import { fixtureApi, fixtureStores } from '../api/api-fixture.ts';

const OPERATOR = '200000000000000002';
const OPERATOR_ROLE = '300000000000000003';
const STRANGER = '400000000000000004';

/** A stand-in for the pipeline's controls: records each request; closing needs an open position. */
class RecordingControls implements OperatorControls {
  readonly calls: Array<{ method: string; request: Record<string, unknown> }> = [];
  constructor(private readonly open: () => string[]) {}
  pauseEntries(request: { symbol?: string; by: string; reason?: string }): Promise<void> {
    this.calls.push({ method: 'pauseEntries', request });
    return Promise.resolve();
  }
  resumeEntries(request: { symbol?: string; by: string }): Promise<void> {
    this.calls.push({ method: 'resumeEntries', request });
    return Promise.resolve();
  }
  forceClose(request: { symbol: string; by: string }): Promise<void> {
    this.calls.push({ method: 'forceClose', request });
    if (!this.open().includes(request.symbol))
      return Promise.reject(
        new CmlError(ErrorCodes.API_CONFLICT, `${request.symbol} has no open position`, {
          hint: 'See /positions.',
        }),
      );
    return Promise.resolve();
  }
}

const pipeline: PipelineHealth = {
  groups: [
    { group: 'decision-engine', topic: 'crypto.ml_signals', lag: 0 },
    { group: 'virtual-exchange', topic: 'crypto.market_data', lag: 42 },
  ],
  deadLetters: [
    { topic: 'crypto.market_data', count: 3, unreadable: 1 },
    { topic: 'crypto.ml_signals', count: 0, unreadable: 0 },
  ],
};

/** What the dashboard's pipeline read does; a test makes it hang. */
let readPipeline = (): Promise<PipelineHealth> => Promise.resolve(pipeline);

interface Served {
  readonly app: FastifyInstance;
  readonly url: string;
}

describe('Discord bot over HTTP interactions', () => {
  const discord = new DiscordSigner();
  let stores: { store: PortfolioStore; signals: SignalStore };
  let view: PortfolioView;
  let controls: RecordingControls;
  let bot: Served;
  let withoutControls: Served;

  const serve = async (withControls: boolean): Promise<Served> => {
    const { app } = await fixtureApi(stores, {
      processors: [
        { name: 'portfolio', stuck: () => false },
        { name: 'exchange', stuck: () => true, reason: () => 'a batch running for 95 s' },
      ],
      projections: [{ name: 'portfolio', lag: () => Promise.resolve(7) }],
      dashboard: {
        candles: () => [],
        symbols: () => [],
        pipeline: () => readPipeline(),
        feed: { subscribe: () => () => undefined },
      },
      discord: {
        publicKey: discord.publicKeyHex,
        operators: { userIds: [OPERATOR], roleIds: [OPERATOR_ROLE] },
        ...(withControls ? { controls } : {}),
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return { app, url: `http://127.0.0.1:${port}${INTERACTIONS_PATH}` };
  };

  beforeAll(async () => {
    stores = await fixtureStores();
    view = portfolioView(stores.store.summary(10_000));
    controls = new RecordingControls(() => view.positions.map((p) => p.symbol));
    bot = await serve(true);
    withoutControls = await serve(false);
  });
  afterAll(async () => {
    await bot.app.close();
    await withoutControls.app.close();
  });

  const run = async (invocation: CommandInvocation, on: Served = bot) => {
    const sent = await discord.command(on.url, invocation);
    expect(sent.status).toBe(200);
    return sent.body as Extract<InteractionResponse, { type: 4 }>;
  };
  const embedOf = (reply: Extract<InteractionResponse, { type: 4 }>) => {
    expect(reply.type).toBe(4);
    const embed = reply.data.embeds?.[0];
    if (embed === undefined) throw new Error(`no embed in ${JSON.stringify(reply)}`);
    return embed;
  };
  const field = (embed: { fields: ReadonlyArray<{ name: string; value: string }> }, name: string) =>
    embed.fields.find((f) => f.name === name || f.name.startsWith(name))?.value;

  describe('signature', () => {
    const ping = '{"type":1}';

    it('answers a signed PING with PONG', async () => {
      expect(await discord.post(bot.url, ping)).toEqual({ status: 200, body: { type: 1 } });
    });

    it('verifies the bytes as sent: spacing and non-ASCII text that a re-serialised body would change', async () => {
      const spaced = '{ "type" : 1 ,\n "id": "ünïcode ✓" }';
      expect(await discord.post(bot.url, spaced)).toEqual({ status: 200, body: { type: 1 } });
    });

    it('refuses with 401 what is unsigned, tampered with, signed by another key or too old', async () => {
      const pause = JSON.stringify({
        type: 2,
        data: { name: 'pause' },
        member: { user: { id: OPERATOR }, roles: [] },
      });
      const refused = [
        await discord.post(bot.url, ping, {}),
        await discord.post(bot.url, pause.replace('pause', 'close'), discord.headers(pause)),
        await new DiscordSigner().command(bot.url, { name: 'pause', userId: OPERATOR }),
        await discord.post(bot.url, pause, discord.headers(pause, Math.floor(Date.now() / 1_000) - 301)),
      ];
      for (const answer of refused) {
        expect(answer.status).toBe(401);
        expect(answer.body).toMatchObject({ code: 'CML_API_UNAUTHORIZED' });
      }
      expect(
        controls.calls.filter(
          (c) => c.method === 'pauseEntries' && c.request.by === `discord:alice (${OPERATOR})`,
        ),
      ).toHaveLength(0);
    });

    it('refuses a signed body that is not an interaction with 400', async () => {
      expect((await discord.post(bot.url, '[1,2]')).status).toBe(400);
      expect((await discord.post(bot.url, '{"type":')).status).toBe(400);
    });
  });

  describe('read-only commands, for everyone', () => {
    it('/status: stuck processors, projection lag, consumer lag and dead letters, as /health, /ready and /pipeline', async () => {
      const embed = embedOf(await run({ name: 'status', userId: STRANGER }));
      expect(embed.title).toBe('Pipeline unhealthy: exchange stuck');
      expect(embed.color).toBe(0xe74c3c);
      expect(field(embed, 'Processors')).toBe('✓ portfolio\n✗ exchange: a batch running for 95 s');
      expect(field(embed, 'Projections')).toBe('… portfolio: 7 to fold');
      expect(field(embed, 'Consumer lag (42 in all)')).toBe('virtual-exchange on crypto.market_data: 42');
      expect(field(embed, 'Dead letters')).toBe('crypto.market_data: 3 (1 unreadable)\ncrypto.ml_signals: 0');
    });

    it("/status answers within Discord's 3 s when the pipeline read hangs, saying so", async () => {
      readPipeline = () => new Promise<PipelineHealth>(() => undefined);
      try {
        const started = Date.now();
        const embed = embedOf(await run({ name: 'status' }));
        expect(Date.now() - started).toBeLessThan(3_000);
        expect(field(embed, 'Pipeline')).toBe('consumer lag and dead letters did not answer within 2 s');
        expect(field(embed, 'Processors')).toContain('✗ exchange');
      } finally {
        readPipeline = () => Promise.resolve(pipeline);
      }
    });

    it('/portfolio: the figures GET /portfolio serves', async () => {
      const api = (await (
        await fetch(bot.url.replace(INTERACTIONS_PATH, '/portfolio'))
      ).json()) as PortfolioView;
      const embed = embedOf(await run({ name: 'portfolio' }));
      expect(embed.title).toBe(`Equity ${formatUsdt(api.equity)}`);
      expect(field(embed, 'Cash')).toBe(formatUsdt(api.cash));
      expect(field(embed, 'Realized PnL')).toBe(formatUsdt(api.realizedPnl, true));
      expect(field(embed, 'Fees')).toBe(formatUsdt(api.fees));
      expect(field(embed, 'Open positions')).toBe(String(api.positions.length));
      expect(embed.timestamp).toBe(new Date(api.asOf).toISOString());
    });

    it('/positions: one field per open position with entry, mark and unrealized PnL', async () => {
      const embed = embedOf(await run({ name: 'positions' }));
      expect(view.positions.length).toBeGreaterThan(0);
      expect(embed.fields.map((f) => f.name)).toEqual(view.positions.map((p) => p.symbol).sort());
      const first = view.positions[0];
      if (first === undefined) throw new Error('no position');
      expect(field(embed, first.symbol)).toContain(`at ${formatPrice(first.averageEntry)}`);
      expect(field(embed, first.symbol)).toContain(formatUsdt(first.unrealizedPnl, true));
    });

    it('/trades: the latest closed trades, newest first', async () => {
      const trades = stores.store.trades();
      const embed = embedOf(await run({ name: 'trades' }));
      const newest = [...trades].sort(
        (a, b) => b.exitTime - a.exitTime || b.orderId.localeCompare(a.orderId),
      );
      // The scripted market closes 4 trades: all shown.
      expect(embed.title).toBe('4 closed trades');
      expect(embed.fields[0]?.value).toMatch(/, (stop-loss|take-profit|sell signal|closed by hand)\n/);
      expect(embed.fields.map((f) => f.value.split('· ')[1])).toEqual(
        newest.slice(0, 10).map((t) => t.orderId),
      );
    });

    it('/profit: realized PnL in total and per UTC day of the ledger', async () => {
      const trades = stores.store.trades();
      const total = trades.reduce((sum, t) => sum + t.realizedPnl, 0);
      const embed = embedOf(await run({ name: 'profit' }));
      expect(embed.title).toBe(`Realized profit ${formatUsdt(total, true)} over ${trades.length} trades`);
      const days = field(embed, 'Per day')?.split('\n') ?? [];
      expect(days).toHaveLength(7);
      // The scripted market trades on 2024-01-01 only: the last of the seven days.
      expect(days.at(-1)).toBe(`2024-01-01: ${formatUsdt(total, true)} (${trades.length} trades)`);
      expect(days[0]).toBe('2023-12-26: +0.00 USDT (0 trades)');
    });
  });

  describe('operator commands', () => {
    it('/pause, /resume and /close from an operator user reach the controls, and the channel is told', async () => {
      controls.calls.length = 0;
      const pause = await run({
        name: 'pause',
        userId: OPERATOR,
        options: { symbol: 'btcusdt', reason: 'news at 14:00' },
      });
      expect(pause.data.flags).toBeUndefined();
      expect(embedOf(pause).title).toBe('New entries paused for BTCUSDT');
      const resume = await run({ name: 'resume', userId: OPERATOR });
      expect(embedOf(resume).title).toBe('New entries resumed for all symbols');
      const symbol = view.positions[0]?.symbol ?? '';
      const close = await run({ name: 'close', userId: OPERATOR, options: { symbol } });
      expect(embedOf(close).title).toBe(`${symbol} position closing at the next price`);
      const by = `discord:alice (${OPERATOR})`;
      expect(controls.calls).toEqual([
        { method: 'pauseEntries', request: { symbol: 'BTCUSDT', reason: 'news at 14:00', by } },
        { method: 'resumeEntries', request: { by } },
        { method: 'forceClose', request: { symbol, by } },
      ]);
    });

    it('admits a member by one of the operator roles', async () => {
      controls.calls.length = 0;
      await run({ name: 'pause', userId: STRANGER, username: 'bob', roles: ['1', OPERATOR_ROLE] });
      expect(controls.calls).toEqual([
        { method: 'pauseEntries', request: { by: `discord:bob (${STRANGER})` } },
      ]);
    });

    it('refuses anyone else with an ephemeral message, asking nothing of the controls', async () => {
      controls.calls.length = 0;
      const refusals = [
        await run({ name: 'pause', userId: STRANGER, roles: ['999999999999999999'] }),
        await run({ name: 'resume', userId: STRANGER }),
        await run({ name: 'close', userId: STRANGER, options: { symbol: 'BTCUSDT' } }),
        // Roles count on server members only: a direct message carries none.
        await run({ name: 'pause', userId: STRANGER, roles: [OPERATOR_ROLE], direct: true }),
      ];
      for (const reply of refusals) {
        expect(reply.data.flags).toBe(EPHEMERAL);
        expect(reply.data.content).toMatch(/^\/(pause|resume|close) is for operators only/);
      }
      expect(controls.calls).toEqual([]);
    });

    it('answers a refusal of the controls ephemerally, with its reason', async () => {
      const reply = await run({ name: 'close', userId: OPERATOR, options: { symbol: 'XYZUSDT' } });
      expect(reply.data).toMatchObject({
        flags: EPHEMERAL,
        content: '/close refused: XYZUSDT has no open position\n  -> See /positions.',
      });
    });

    it('refuses a symbol that is not a USDT pair before asking the controls', async () => {
      controls.calls.length = 0;
      const reply = await run({ name: 'close', userId: OPERATOR, options: { symbol: 'BTC-EUR' } });
      expect(reply.data).toMatchObject({
        flags: EPHEMERAL,
        content: '"BTC-EUR" is not a USDT pair such as BTCUSDT.',
      });
      expect(controls.calls).toEqual([]);
    });

    it('says controls are unavailable when the process has none, even to an operator', async () => {
      for (const name of ['pause', 'resume', 'close']) {
        const reply = await run({ name, userId: OPERATOR, options: { symbol: 'BTCUSDT' } }, withoutControls);
        expect(reply.data.flags).toBe(EPHEMERAL);
        expect(reply.data.content).toMatch(/^Operator controls are not available/);
      }
      const stranger = await run({ name: 'pause', userId: STRANGER }, withoutControls);
      expect(stranger.data.content).toMatch(/is for operators only/);
    });
  });

  it('answers an unknown command ephemerally', async () => {
    const reply = await run({ name: 'balance' });
    expect(reply.data).toMatchObject({ flags: EPHEMERAL, content: 'Unknown command /balance.' });
  });
});
