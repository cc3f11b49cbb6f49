import type { ProjectionReadiness } from '../api/readiness.ts';
import type { PipelineHealth } from '../dashboard/dashboard-deps.ts';

/** What /status shows: the API's /health and /ready, and the dashboard's pipeline panel. */
export interface BotStatus {
  readonly processors: ReadonlyArray<{
    readonly name: string;
    readonly stuck: boolean;
    readonly reason?: string;
  }>;
  readonly projections: readonly ProjectionReadiness[];
  /** Consumer lag and dead letters; a sentence when they could not be read in time, or are not served. */
  readonly pipeline: PipelineHealth | string;
  /** ms since the epoch. */
  readonly asOf: number;
}
