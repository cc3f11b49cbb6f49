/** Parameter sweeps: grids and random samples of settings, traded on shared signal tapes in worker threads, chosen in sample and reported out of sample. */
export {
  prepareSweep,
  runSweep,
  type PreparedSweep,
  type SweepOptions,
  type SweepReport,
  type SweepResult,
  type SweepRowReport,
} from './run-sweep.ts';
export {
  combinationsOf,
  expandGrid,
  parseGridAxis,
  parseSampleRange,
  sampleRanges,
  type GridAxis,
  type SampleRange,
} from './sweep-space.ts';
export {
  DECISION_PARAMS,
  RULE_PARAMS,
  SWEEP_PARAMS,
  configWith,
  envOf,
  sweepParamOf,
  type ParamValues,
  type SweepParam,
} from './sweep-params.ts';
export {
  planSweep,
  replayCommandOf,
  replayEnvOf,
  type SweepPlan,
  type SweepRow,
  type TapeSpec,
} from './sweep-plan.ts';
export { evaluateRow, RowEvaluator, type RowResult, type SweepContext } from './sweep-evaluate.ts';
export {
  inThreadRunner,
  startWorkerPool,
  defaultWorkers,
  type RowRunner,
  type WorkerPool,
} from './sweep-pool.ts';
export { DEFAULT_SWEEP_METRIC, SWEEP_METRICS, sweepMetricOf, type SweepMetric } from './sweep-metric.ts';
export { renderSweepHtml } from './sweep-report-html.ts';
export { sweepCsv, sweepJson } from './sweep-results.ts';
