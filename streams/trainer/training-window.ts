import type { MarketData } from '../../src/contracts/index.ts';

/**
 * The bars the trainer has read from the log, per symbol in time order, trimmed to a window of
 * event time behind the newest bar, with the offset it has read each partition up to.
 */
export class TrainingWindow {
  private readonly bySymbol = new Map<string, MarketData[]>();
  /** Next offset to read, per partition. */
  readonly offsets = new Map<number, number>();
  newest = -Infinity;

  constructor(private readonly windowMs: number) {}

  /** Takes a bar read at `offset` of `partition`; a bar at or before its symbol's last is a repeat and ignored. */
  add(bar: MarketData, partition: number, offset: number): void {
    this.offsets.set(partition, Math.max(this.offsets.get(partition) ?? 0, offset + 1));
    const series = this.bySymbol.get(bar.symbol) ?? [];
    const last = series.at(-1);
    if (last !== undefined && bar.timestamp <= last.timestamp) return;
    series.push(bar);
    this.bySymbol.set(bar.symbol, series);
    if (bar.timestamp > this.newest) this.newest = bar.timestamp;
  }

  /** Moves a partition's read position past records that hold no bar (dead letters, markers). */
  readUpTo(partition: number, offset: number): void {
    this.offsets.set(partition, Math.max(this.offsets.get(partition) ?? 0, offset));
  }

  /** Lets go of the bars before the window (event time at or before newest - windowMs). */
  trim(): void {
    const from = this.newest - this.windowMs;
    for (const [symbol, series] of this.bySymbol) {
      const first = series.findIndex((bar) => bar.timestamp > from);
      if (first < 0) this.bySymbol.delete(symbol);
      else if (first > 0) this.bySymbol.set(symbol, series.slice(first));
    }
  }

  /** The bars within the window (event time after newest - windowMs), in time order. */
  bars(): MarketData[] {
    this.trim();
    const kept = [...this.bySymbol.values()].flat();
    return kept.sort((a, b) => a.timestamp - b.timestamp || a.symbol.localeCompare(b.symbol));
  }
}

/**
 * Whether a retrain is due: never trained by the trainer, or the newest bar is at least `intervalMs`
 * of event time past the newest bar the last version was trained on.
 */
export const retrainDue = (newest: number, lastTrainedTo: number | undefined, intervalMs: number): boolean =>
  Number.isFinite(newest) && (lastTrainedTo === undefined || newest - lastTrainedTo >= intervalMs);
