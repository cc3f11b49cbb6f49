import type { ClosedTrade } from '../../projections/portfolio/portfolio-fold.ts';

const DAY_MS = 86_400_000;

export interface DailyProfit {
  /** The UTC day, YYYY-MM-DD. */
  readonly day: string;
  /** Realized PnL of the trades closed that day, net of their fees. */
  readonly realizedPnl: number;
  readonly trades: number;
}

export interface ProfitReport {
  readonly realizedPnl: number;
  readonly trades: number;
  readonly wins: number;
  readonly fees: number;
  /** The last `days` UTC days up to the ledger's own latest time, oldest first, days without trades included. */
  readonly days: readonly DailyProfit[];
}

const dayOf = (time: number): string => new Date(time).toISOString().slice(0, 10);

/**
 * Profit per UTC day and in total. "Today" is the ledger's latest time (the portfolio's or the last
 * exit, whichever is later), not the wall clock: simulated and replayed markets run on their own time.
 */
export function profitReport(trades: readonly ClosedTrade[], asOf: number, days = 7): ProfitReport {
  const lastExit = trades.reduce((latest, t) => Math.max(latest, t.exitTime), 0);
  const end = Math.max(asOf, lastExit);
  const byDay = new Map<string, { realizedPnl: number; trades: number }>();
  for (const trade of trades) {
    const day = dayOf(trade.exitTime);
    const sum = byDay.get(day) ?? { realizedPnl: 0, trades: 0 };
    byDay.set(day, { realizedPnl: sum.realizedPnl + trade.realizedPnl, trades: sum.trades + 1 });
  }
  const lastDays: DailyProfit[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = dayOf(end - i * DAY_MS);
    lastDays.push({ day, ...(byDay.get(day) ?? { realizedPnl: 0, trades: 0 }) });
  }
  return {
    realizedPnl: trades.reduce((sum, t) => sum + t.realizedPnl, 0),
    trades: trades.length,
    wins: trades.filter((t) => t.realizedPnl > 0).length,
    fees: trades.reduce((sum, t) => sum + t.fees, 0),
    days: lastDays,
  };
}
