import type { LagProbe } from './probes.ts';

export interface ReadinessSettings {
  /** Records a projection may still have to fold and be ready. */
  readonly maxLag: number;
  /** How long a projection stays ready after it was last within `maxLag`, so a busy log does not make it flap. */
  readonly graceMs: number;
}

export interface ProjectionReadiness {
  readonly name: string;
  readonly lag: number;
  readonly ready: boolean;
}

/** Ready when within the bound now, or within it no longer than the grace period ago. */
export const isReady = (
  lag: number,
  lastWithinAt: number | undefined,
  now: number,
  settings: ReadinessSettings,
): boolean =>
  lag <= settings.maxLag || (lastWithinAt !== undefined && now - lastWithinAt <= settings.graceMs);

/** Readiness of the projections, remembering when each was last caught up (for the grace). */
export class Readiness {
  private readonly lastWithin = new Map<string, number>();

  constructor(
    private readonly probes: readonly LagProbe[],
    private readonly settings: ReadinessSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async check(): Promise<ProjectionReadiness[]> {
    const now = this.now();
    const results: ProjectionReadiness[] = [];
    for (const probe of this.probes) {
      const lag = await probe.lag();
      if (lag <= this.settings.maxLag) this.lastWithin.set(probe.name, now);
      results.push({
        name: probe.name,
        lag,
        ready: isReady(lag, this.lastWithin.get(probe.name), now, this.settings),
      });
    }
    return results;
  }
}
