/** What an operator can ask of the trading pipeline; each request becomes an event in the log. */
export interface OperatorControls {
  /** Stops new entries, for one symbol or (without one) for all; open positions keep their exits. */
  pauseEntries(request: { symbol?: string; by: string; reason?: string }): Promise<void>;
  /** Lifts a pause made for the same scope (one symbol, or all). */
  resumeEntries(request: { symbol?: string; by: string }): Promise<void>;
  /** Closes the open position of a symbol at the next price; refuses (CmlError) when none is open. */
  forceClose(request: { symbol: string; by: string }): Promise<void>;
}
