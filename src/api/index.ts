/** The HTTP API: `buildApi(deps)`, its dependencies, the metrics factory and the probes processors implement. */
export { buildApi } from './build-api.ts';
export {
  DEFAULT_API_SETTINGS,
  type ApiDependencies,
  type ApiSettings,
  type OrderAppender,
} from './api-context.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { BatchWatchdog, type LagProbe, type ProcessorProbe } from './probes.ts';
export { portfolioView, type PortfolioView, type PositionView } from './portfolio-view.ts';
