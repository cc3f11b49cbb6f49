/** The candle read model: crypto.market_data folded into LMDB bars per symbol, for charts. */
export { CandleStore, type CandleQuery } from './candle-store.ts';
export { CandleProjection, type CandleProjectionOptions } from './candle-projection.ts';
export { candleRows, type Candle } from './candle-rows.ts';
