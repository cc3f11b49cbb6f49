/** The decision engine: the pure decide/evolve core (confidence, risk, sizing, order ids) and its runner. */
export { decide, mayAct, needsFreshPortfolio, type Decision } from './decide.ts';
export {
  evolveDecision,
  initialDecisionState,
  type DecisionState,
  type TrackedOrder,
  type RecentSignal,
} from './decision-state.ts';
export {
  DEFAULT_DECISION_SETTINGS,
  CREATED_BY,
  decisionSettingsOf,
  type DecisionSettings,
} from './decision-settings.ts';
export {
  appliesFrom,
  controlsAt,
  initialControlsState,
  recordControl,
  type ControlsState,
  type ScheduledControl,
} from './controls-state.ts';
export { SkipReasonValues, type Skip, type SkipReason } from './decision-reasons.ts';
export { sizePosition, type Sizing, type SizingInput } from './position-sizing.ts';
export { draftOrder, exitLevels, type OrderDraft } from './order-draft.ts';
export { formatOrderId, parseOrderId, utcDayOf } from './order-ids.ts';
export { reconcileWithPortfolio } from './reconcile.ts';
export { agreeingVote, rememberSignal } from './recent-signals.ts';
export type { PortfolioSource } from './portfolio-source.ts';
export { DecisionRunner, DEFAULT_DECISION_GROUP, type DecisionRunnerOptions } from './decision-runner.ts';
