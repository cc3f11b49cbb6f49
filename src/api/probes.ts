/** What readiness asks of a projection: how many records it has still to fold. */
export interface LagProbe {
  readonly name: string;
  lag(): Promise<number>;
}

/** What liveness asks of a processor: whether it is stuck (a batch that never finishes, input all dead-lettered). */
export interface ProcessorProbe {
  readonly name: string;
  stuck(): boolean;
  /** Why it is stuck, when it can tell. */
  reason?(): string | undefined;
}

/**
 * A heartbeat for a batch handler: `begin` and `end` around each batch; the processor is stuck
 * when a batch has been running longer than `limitMs`. An idle processor is never stuck: having
 * nothing to do is not a fault.
 */
export class BatchWatchdog {
  private startedAt: number | undefined;

  constructor(
    private readonly limitMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  begin(): void {
    this.startedAt = this.now();
  }

  end(): void {
    this.startedAt = undefined;
  }

  stuck(): boolean {
    return this.startedAt !== undefined && this.now() - this.startedAt > this.limitMs;
  }
}
