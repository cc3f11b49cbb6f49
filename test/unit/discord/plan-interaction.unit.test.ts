import { describe, expect, it } from 'vitest';
import type { ClosedTrade } from '../../../projections/portfolio/portfolio-fold.ts';
import { EPHEMERAL, planInteraction, profitReport, type Interaction } from '../../../src/discord/index.ts';
import { commandPayload, type CommandInvocation } from '../../support/discord-signer.ts';

const operators = { userIds: ['200000000000000002'], roleIds: ['300000000000000003'] };
const plan = (invocation: CommandInvocation) =>
  planInteraction(commandPayload(invocation) as unknown as Interaction, operators);

describe('planInteraction (given an interaction and the operators, then a plan)', () => {
  it('PING: PONG, whoever sends it', () => {
    expect(planInteraction({ type: 1 }, operators)).toEqual({ kind: 'answer', response: { type: 1 } });
  });

  it('read-only commands: shown to anyone', () => {
    for (const name of ['status', 'portfolio', 'positions', 'trades', 'profit'])
      expect(plan({ name, userId: '400000000000000004' })).toEqual({ kind: 'show', view: name });
  });

  it('operator commands: a control request naming who asked, the symbol upper-cased', () => {
    expect(
      plan({
        name: 'close',
        userId: '200000000000000002',
        username: 'ops',
        options: { symbol: ' ethusdt ' },
      }),
    ).toEqual({
      kind: 'control',
      request: { action: 'close', symbol: 'ETHUSDT', by: 'discord:ops (200000000000000002)' },
    });
    expect(plan({ name: 'pause', userId: '5', roles: ['300000000000000003'] })).toEqual({
      kind: 'control',
      request: { action: 'pause', by: 'discord:alice (5)' },
    });
  });

  it('operator commands from anyone else: an ephemeral refusal, nothing asked', () => {
    const refused = plan({ name: 'resume', userId: '5', roles: ['6'] });
    expect(refused).toMatchObject({ kind: 'answer', response: { type: 4, data: { flags: EPHEMERAL } } });
  });

  it('/close without a symbol, or with one that is no USDT pair: an ephemeral usage message', () => {
    expect(plan({ name: 'close', userId: '200000000000000002' })).toMatchObject({
      kind: 'answer',
      response: { data: { flags: EPHEMERAL, content: '/close needs a symbol, e.g. /close symbol:BTCUSDT.' } },
    });
    expect(plan({ name: 'pause', userId: '200000000000000002', options: { symbol: 'DOGE' } })).toMatchObject({
      kind: 'answer',
      response: { data: { flags: EPHEMERAL } },
    });
  });
});

const trade = (exitTime: string, realizedPnl: number, fees = 1): ClosedTrade => ({
  orderId: `ORD-${exitTime}`,
  symbol: 'BTCUSDT',
  quantity: 1,
  entryTime: Date.parse(exitTime) - 60_000,
  entryPrice: 100,
  exitTime: Date.parse(exitTime),
  exitPrice: 100 + realizedPnl,
  fees,
  realizedPnl,
  reason: 'TAKE_PROFIT',
});

describe('profitReport', () => {
  it('sums per UTC day up to the ledger’s latest time, days without trades included', () => {
    const trades = [
      trade('2024-03-01T23:59:00Z', 10),
      trade('2024-03-02T00:01:00Z', -4),
      trade('2024-03-02T12:00:00Z', 6),
      trade('2024-02-20T12:00:00Z', 100),
    ];
    const report = profitReport(trades, Date.parse('2024-03-03T08:00:00Z'), 3);
    expect(report).toEqual({
      realizedPnl: 112,
      trades: 4,
      wins: 3,
      fees: 4,
      days: [
        { day: '2024-03-01', realizedPnl: 10, trades: 1 },
        { day: '2024-03-02', realizedPnl: 2, trades: 2 },
        { day: '2024-03-03', realizedPnl: 0, trades: 0 },
      ],
    });
  });

  it('ends at the last exit when the portfolio’s time is earlier (a store before its first mark)', () => {
    const report = profitReport([trade('2024-03-05T10:00:00Z', 1)], 0, 1);
    expect(report.days).toEqual([{ day: '2024-03-05', realizedPnl: 1, trades: 1 }]);
  });
});
