import { describe, expect, it } from 'vitest';
import type { ClosedTrade } from '../../../projections/portfolio/portfolio-fold.ts';
import { tradesReply } from '../../../src/discord/bot-replies.ts';
import { profitReport } from '../../../src/discord/index.ts';

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

describe('tradesReply', () => {
  it('shows the latest 10 of many, newest first, with the reason in words', () => {
    const trades = Array.from({ length: 12 }, (_, i) =>
      trade(`2024-03-01T${String(i + 10).padStart(2, '0')}:00:00Z`, i - 5),
    );
    const reply = tradesReply(trades, 0);
    const embed = reply.type === 4 ? reply.data.embeds?.[0] : undefined;
    expect(embed?.title).toBe('The latest 10 of 12 closed trades');
    expect(embed?.fields).toHaveLength(10);
    expect(embed?.fields[0]?.value).toBe(
      '1: 100.00 → 106.00, take-profit\n2024-03-01 21:00 · ORD-2024-03-01T21:00:00Z',
    );
  });
});
