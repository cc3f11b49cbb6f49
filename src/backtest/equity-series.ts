import type { MarketData, OrderEvent } from '../contracts/index.ts';
import {
  byExitThenOrderId,
  foldPortfolio,
  initialPortfolio,
  markBars,
  type ClosedTrade,
  type PortfolioState,
} from '../../projections/portfolio/index.ts';

export interface EquitySample {
  readonly time: number;
  readonly equity: number;
  readonly cash: number;
  /** Whether any position was open at the bar's close. */
  readonly exposed: boolean;
}

/** An equity series in columns: what the metrics read of each sample. */
export interface EquityColumns {
  readonly time: Float64Array;
  readonly equity: Float64Array;
  /** 1 where a position was open at the bar's close. */
  readonly exposed: Uint8Array;
}

export function columnsOf(samples: readonly EquitySample[]): EquityColumns {
  const time = new Float64Array(samples.length);
  const equity = new Float64Array(samples.length);
  const exposed = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i] as EquitySample;
    time[i] = sample.time;
    equity[i] = sample.equity;
    exposed[i] = sample.exposed ? 1 : 0;
  }
  return { time, equity, exposed };
}

/**
 * The equity at every bar's close, by the ledger projection's own fold over the run's bars and
 * order events in event-time order (a bar's close after the events it caused): the report and the
 * projection cannot disagree on cash, fees or PnL. The fold's closed trades come with it, in the
 * read model's order.
 */
export function equitySeries(
  bars: readonly MarketData[],
  events: readonly OrderEvent[],
  initialCash: number,
): { samples: EquitySample[]; final: PortfolioState; trades: ClosedTrade[] } {
  const timeOf = (event: OrderEvent): number => event.event_time ?? event.timestamp;
  let state = initialPortfolio(initialCash).state;
  const samples: EquitySample[] = [];
  const trades: ClosedTrade[] = [];
  const fold = (event: OrderEvent): void => {
    const step = foldPortfolio(state, { kind: 'order', event });
    state = step.state;
    if (step.rows.trade !== undefined) trades.push(step.rows.trade);
  };
  let next = 0;
  let run = 0;
  const sample = (bar: MarketData, equity: number, exposed: boolean): void => {
    samples.push({ time: bar.timestamp, equity, cash: state.cash, exposed });
  };
  for (let i = 0; i < bars.length; i++) {
    const time = (bars[i] as MarketData).timestamp;
    // The bar's own fills and closes happen within it: its close sees them.
    if (next < events.length && timeOf(events[next] as OrderEvent) <= time) {
      state = markBars(state, bars, run, i, sample);
      run = i;
      while (next < events.length && timeOf(events[next] as OrderEvent) <= time)
        fold(events[next++] as OrderEvent);
    }
  }
  state = markBars(state, bars, run, bars.length, sample);
  while (next < events.length) fold(events[next++] as OrderEvent);
  return { samples, final: state, trades: trades.sort(byExitThenOrderId) };
}
