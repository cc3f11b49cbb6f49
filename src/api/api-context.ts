import type { PortfolioState } from '../../projections/portfolio/portfolio-fold.ts';
import type { PortfolioStore } from '../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../projections/signals/signal-store.ts';
import type { Config } from '../config/index.ts';
import type { DashboardDependencies } from '../dashboard/dashboard-deps.ts';
import type { DiscordBotOptions } from '../discord/interactions-route.ts';
import type { OrderEvent } from '../contracts/index.ts';
import type { ControlsView, OperatorControls } from '../controls/index.ts';
import type { Metrics } from './metrics.ts';
import type { LagProbe, ProcessorProbe } from './probes.ts';

export type ApiSettings = Config['api'];

export const DEFAULT_API_SETTINGS: ApiSettings = {
  host: '127.0.0.1',
  port: 3000,
  corsOrigins: [],
  rateLimit: { max: 30, windowMs: 60_000 },
  readiness: { maxLag: 0, graceMs: 5_000 },
};

/**
 * Appends order events to crypto.orders, atomically (all or none), validated as any producer's:
 * live, a Publisher on the runtime's log.
 */
export type OrderAppender = (events: readonly OrderEvent[]) => Promise<void>;

/** The operators' controls as the API serves them: the requests, and their view folded from the log. */
export interface ControlsAccess {
  readonly operator: OperatorControls;
  readonly view: () => Promise<ControlsView>;
}

export interface ApiDependencies {
  readonly store: PortfolioStore;
  /** The portfolio now: the live projection's state, or the store's summary. */
  readonly portfolio: () => PortfolioState;
  readonly signals: SignalStore;
  /** Where the mutating routes write their events: the API never changes a read model itself. */
  readonly appendOrders: OrderAppender;
  /** Pause, resume and force-close (crypto.controls); without them those routes answer 503. */
  readonly controls?: ControlsAccess;
  readonly metrics: Metrics;
  /** The projections readiness waits for. */
  readonly projections?: readonly LagProbe[];
  /** The processors whose liveness /health reports. */
  readonly processors?: readonly ProcessorProbe[];
  readonly settings?: ApiSettings;
  /** Fee rate of manual closes (the exchange's taker fee; 0.001 by default). */
  readonly feeRate?: number;
  /** Event time of the events the API appends. */
  readonly now?: () => number;
  readonly logger?: boolean;
  /** With these, the web dashboard is served too (`/`, see src/dashboard). */
  readonly dashboard?: DashboardDependencies;
  /** With these, Discord's interactions are answered at POST /discord/interactions (see src/discord). */
  readonly discord?: DiscordBotOptions;
}

/** What the route modules receive: the dependencies with their defaults filled in. */
export interface ApiContext extends ApiDependencies {
  readonly settings: ApiSettings;
  readonly feeRate: number;
  readonly now: () => number;
  readonly projections: readonly LagProbe[];
  readonly processors: readonly ProcessorProbe[];
}
