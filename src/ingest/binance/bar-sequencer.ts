import type { MarketData } from '../../contracts/index.ts';

export type SequenceDecision =
  | { readonly kind: 'publish' }
  /** At or before the last bar of the symbol: a repeat or a late frame. */
  | { readonly kind: 'duplicate'; readonly last: number }
  /** Bars are missing between the last one and this one: fetch [from, to] first. */
  | { readonly kind: 'gap'; readonly from: number; readonly to: number };

/**
 * Keeps each symbol's closed bars gapless and unique: it knows the open time of the last bar
 * published per symbol and decides, for each new one, to publish it, drop it, or fill a gap first.
 */
export class BarSequencer {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    known: ReadonlyMap<string, number> = new Map(),
  ) {
    for (const [symbol, time] of known) this.last.set(symbol, time);
  }

  lastOf(symbol: string): number | undefined {
    return this.last.get(symbol);
  }

  decide(bar: MarketData): SequenceDecision {
    const last = this.last.get(bar.symbol);
    if (last === undefined) return { kind: 'publish' };
    if (bar.timestamp <= last) return { kind: 'duplicate', last };
    if (bar.timestamp > last + this.intervalMs)
      return { kind: 'gap', from: last + this.intervalMs, to: bar.timestamp - this.intervalMs };
    return { kind: 'publish' };
  }

  published(bar: MarketData): void {
    this.last.set(bar.symbol, Math.max(bar.timestamp, this.last.get(bar.symbol) ?? Number.NEGATIVE_INFINITY));
  }
}
