/**
 * The web dashboard: `registerDashboard` (called by buildApi when given dashboard dependencies),
 * what it needs (`DashboardDependencies`), a live feed read off the log and the pipeline's health
 * read off a runtime (and grouped by service, `servicesOf`), for the composition root to supply.
 */
export { registerDashboard } from './register-dashboard.ts';
export type { DashboardDependencies, LiveEvent, LiveFeed, PipelineHealth } from './dashboard-deps.ts';
export { Broadcast } from './live-feed.ts';
export { openLogFeed, type LogFeed, type LogFeedOptions } from './log-feed.ts';
export { runtimePipelineHealth } from './pipeline-health.ts';
export { nameGroup, servicesOf, type GroupLag, type ServiceLag } from './pipeline-services.ts';
