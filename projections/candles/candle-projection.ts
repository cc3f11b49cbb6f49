import { MARKET_DATA } from '../../src/contracts/index.ts';
import { RowProjection, type RowProjectionOptions } from '../row-projection.ts';
import { candleRows, type Candle } from './candle-rows.ts';
import type { CandleStore } from './candle-store.ts';

export type CandleProjectionOptions = RowProjectionOptions<Candle> & { readonly store: CandleStore };

/** Keeps the candles current: crypto.market_data folded into the candle store, bar by bar. */
export class CandleProjection extends RowProjection<typeof MARKET_DATA, Candle> {
  constructor(options: CandleProjectionOptions) {
    super(
      {
        topic: MARKET_DATA,
        name: 'candles',
        defaultGroup: 'candle-projection',
        rowsOf: (folded, messages) => {
          const { candles, offsets } = candleRows(folded, messages);
          return { rows: candles, offsets };
        },
      },
      options,
    );
  }
}
