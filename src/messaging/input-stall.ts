/**
 * Liveness of a consumer's input: records keep arriving and every one is refused (dead-lettered),
 * so the consumer's clock cannot move and nothing reaches its handler. Idle input is no stall,
 * nor is a short run of bad records: only refusals spanning `afterMs`, the latest within `afterMs`.
 */
export class InputStall {
  private refusedSince: number | undefined;
  private lastRefused = 0;
  private refused = 0;

  constructor(
    private readonly afterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** One record read: accepted, or refused. */
  read(accepted: boolean): void {
    if (accepted) {
      this.refusedSince = undefined;
      this.refused = 0;
      return;
    }
    const now = this.now();
    this.refusedSince ??= now;
    this.lastRefused = now;
    this.refused++;
  }

  /** Why the input is stalled, or undefined while it is not. */
  reason(): string | undefined {
    if (this.refusedSince === undefined) return undefined;
    const span = this.lastRefused - this.refusedSince;
    if (span < this.afterMs || this.now() - this.lastRefused > this.afterMs) return undefined;
    return `dead-lettered every record it read for ${Math.round(span / 1000)} s (${this.refused} records): see the dead-letter topic`;
  }
}
