import type { MarketData } from '../contracts/index.ts';

/** A kline's bar as the market-data contract holds it: the close as price, the change over the bar in percent. */
export function klineBar(
  symbol: string,
  timestamp: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): MarketData {
  return {
    symbol,
    timestamp,
    price: close,
    open,
    high,
    low,
    volume,
    price_change_pct: open > 0 ? ((close - open) / open) * 100 : 0,
  };
}
