import type { ControlAction, OperatorControl } from '../../src/contracts/index.ts';

/** A control the decision engine has recorded, to take effect at a signal time. */
export interface ScheduledControl {
  readonly controlId: string;
  readonly action: ControlAction;
  /** null: every symbol. */
  readonly symbol: string | null;
  /** Signal event time from which it applies. */
  readonly from: number;
}

/**
 * The operators' controls as the decision engine knows them, folded from the engine's records in
 * crypto.controls (never from the requests: only a record says when a control applies).
 */
export interface ControlsState {
  /** Ids of every control recorded, so a repeat changes nothing. */
  readonly recorded: ReadonlySet<string>;
  /** Recorded, not in effect yet: by time, then in log order. */
  readonly scheduled: readonly ScheduledControl[];
  /** A pause of every symbol is in effect. */
  readonly pausedAll: boolean;
  /** Symbols paused one by one (a global pause is kept apart: each resume lifts its own scope). */
  readonly pausedSymbols: ReadonlySet<string>;
  /** Symbols whose open position is sold at their next signal. */
  readonly forceCloses: ReadonlySet<string>;
}

export const initialControlsState = (): ControlsState => ({
  recorded: new Set(),
  scheduled: [],
  pausedAll: false,
  pausedSymbols: new Set(),
  forceCloses: new Set(),
});

/**
 * Folds one crypto.controls record: a record (applied_from set) is scheduled after every record
 * of the same or an earlier time; a request, or a repeat, changes nothing.
 */
export function recordControl(state: ControlsState, control: OperatorControl): ControlsState {
  const from = control.applied_from;
  if (from === null || state.recorded.has(control.control_id) || control.action === 'UNKNOWN') return state;
  const scheduled: ScheduledControl = {
    controlId: control.control_id,
    action: control.action,
    symbol: control.symbol,
    from,
  };
  const at = state.scheduled.findIndex((s) => s.from > from);
  const list = [...state.scheduled];
  list.splice(at === -1 ? list.length : at, 0, scheduled);
  return { ...state, recorded: new Set(state.recorded).add(control.control_id), scheduled: list };
}

/** The controls in effect at a signal time: every scheduled one up to it applied, in order. */
export function controlsAt(state: ControlsState, time: number): ControlsState {
  const due = state.scheduled.findIndex((s) => s.from > time);
  const count = due === -1 ? state.scheduled.length : due;
  if (count === 0) return state;
  let pausedAll = state.pausedAll;
  const pausedSymbols = new Set(state.pausedSymbols);
  const forceCloses = new Set(state.forceCloses);
  for (const control of state.scheduled.slice(0, count)) {
    const paused = control.action === 'PAUSE_ENTRIES';
    switch (control.action) {
      case 'PAUSE_ENTRIES':
      case 'RESUME_ENTRIES':
        if (control.symbol === null) pausedAll = paused;
        else if (paused) pausedSymbols.add(control.symbol);
        else pausedSymbols.delete(control.symbol);
        break;
      case 'FORCE_CLOSE':
        if (control.symbol !== null) forceCloses.add(control.symbol);
        break;
      case 'UNKNOWN':
        break;
      default: {
        const unknown: never = control.action;
        throw new Error(`unknown control ${String(unknown)}`);
      }
    }
  }
  return { ...state, scheduled: state.scheduled.slice(count), pausedAll, pausedSymbols, forceCloses };
}

export const entriesPaused = (state: ControlsState, symbol: string): boolean =>
  state.pausedAll || state.pausedSymbols.has(symbol);

/** Whether a signal will carry out a force-close of its symbol (it then needs the portfolio at its time). */
export const forceCloseDue = (state: ControlsState, symbol: string, time: number): boolean =>
  state.forceCloses.has(symbol) ||
  state.scheduled.some((s) => s.action === 'FORCE_CLOSE' && s.symbol === symbol && s.from <= time);

/** The state once the force-close of a symbol is carried out (or found to have nothing to close). */
export function forceCloseDone(state: ControlsState, symbol: string): ControlsState {
  const forceCloses = new Set(state.forceCloses);
  forceCloses.delete(symbol);
  return { ...state, forceCloses };
}

/**
 * The time a request seen before deciding a signal at `time` applies from: that signal's own
 * time, unless a signal of the same time was decided already (or it is not known whether one
 * was, after a restart), then the next millisecond. So every signal decided before the record
 * lies before the time it names, and a replay, which applies the record at the first signal at
 * or after that time, applies it exactly where the live run did.
 */
export const appliesFrom = (time: number, lastDecided: number | undefined): number =>
  lastDecided !== undefined && lastDecided < time ? time : time + 1;
