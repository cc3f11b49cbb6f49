import { ML_SIGNALS } from '../../src/contracts/index.ts';
import { RowProjection, type RowProjectionOptions } from '../row-projection.ts';
import { signalRows } from './signal-rows.ts';
import type { SignalRow, SignalStore } from './signal-store.ts';

export type SignalProjectionOptions = RowProjectionOptions<SignalRow> & { readonly store: SignalStore };

/** Keeps the signal history current: crypto.ml_signals folded into the signal store. */
export class SignalProjection extends RowProjection<typeof ML_SIGNALS, SignalRow> {
  constructor(options: SignalProjectionOptions) {
    super(
      { topic: ML_SIGNALS, name: 'signals', defaultGroup: 'signal-projection', rowsOf: signalRows },
      options,
    );
  }
}
