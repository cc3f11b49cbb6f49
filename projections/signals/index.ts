/** The signal history read model: crypto.ml_signals folded into LMDB, queried by symbol, model, signal and time. */
export {
  SignalStore,
  type SignalRow,
  type SignalQuery,
  type SignalPage,
  type SignalPosition,
} from './signal-store.ts';
export { SignalProjection, type SignalProjectionOptions } from './signal-projection.ts';
export { signalRows } from './signal-rows.ts';
