/** The virtual exchange: its state folded from crypto.orders, and the pure step that fills and closes. */
export { stepExchange, type ExchangeInput, type ExchangeStep } from './exchange-decide.ts';
export {
  evolveExchange,
  initialExchangeState,
  DEFAULT_EXCHANGE_SETTINGS,
  type ExchangeSettings,
  type ExchangeState,
  type Position,
} from './exchange-state.ts';
