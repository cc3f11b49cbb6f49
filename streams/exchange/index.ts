/**
 * The virtual exchange: its state folded from crypto.orders, the pure step that fills and closes,
 * and the service that runs it on the log (snapshot store, orders watermark).
 */
export {
  closeFigures,
  exitOnLevels,
  feeOf,
  marketFillPrice,
  stepExchange,
  type ExchangeInput,
  type ExchangeStep,
} from './exchange-decide.ts';
export {
  evolveExchange,
  initialExchangeState,
  DEFAULT_EXCHANGE_SETTINGS,
  type ExchangeSettings,
  type ExchangeState,
  type Position,
} from './exchange-state.ts';
export { ExchangeRunner, EXCHANGE_GROUP, type ExchangeRunnerOptions } from './exchange-runner.ts';
export { ExchangeStore, type ExchangeSnapshot } from './exchange-store.ts';
export {
  logWatermark,
  pipelineWatermark,
  type OrdersWatermark,
  type PipelineGroups,
} from './orders-watermark.ts';
