import type { ControlAction, OperatorControl } from '../contracts/index.ts';

/** One control as the API shows it: the request, and the time the engine applies it from once recorded. */
export interface ControlEntry {
  readonly controlId: string;
  readonly action: ControlAction;
  readonly symbol: string | null;
  readonly requestedBy: string;
  readonly requestedAt: number;
  readonly reason: string | null;
  /** Null while the decision engine has not recorded it (no signal decided since the request). */
  readonly appliesFrom: number | null;
}

/** What is paused, as operators asked it, and the controls, newest first. */
export interface ControlsView {
  /** Entries of every symbol are paused. */
  readonly entriesPaused: boolean;
  /** Symbols paused one by one. */
  readonly pausedSymbols: readonly string[];
  readonly controls: readonly ControlEntry[];
}

/**
 * The controls' view, folded from crypto.controls in log order: the pause state follows the
 * requests (what operators asked; a badge shows it at once), each entry says whether the engine
 * has recorded it yet and from which signal time it applies.
 */
export function controlsView(log: readonly OperatorControl[], limit = 100): ControlsView {
  const entries = new Map<string, ControlEntry>();
  let entriesPaused = false;
  const paused = new Set<string>();
  for (const control of log) {
    const known = entries.get(control.control_id);
    if (known !== undefined) {
      if (control.applied_from !== null)
        entries.set(control.control_id, { ...known, appliesFrom: control.applied_from });
      continue;
    }
    entries.set(control.control_id, {
      controlId: control.control_id,
      action: control.action,
      symbol: control.symbol,
      requestedBy: control.requested_by,
      requestedAt: control.requested_at,
      reason: control.reason,
      appliesFrom: control.applied_from,
    });
    if (control.action !== 'PAUSE_ENTRIES' && control.action !== 'RESUME_ENTRIES') continue;
    const pause = control.action === 'PAUSE_ENTRIES';
    if (control.symbol === null) entriesPaused = pause;
    else if (pause) paused.add(control.symbol);
    else paused.delete(control.symbol);
  }
  return {
    entriesPaused,
    pausedSymbols: [...paused].sort(),
    controls: [...entries.values()].reverse().slice(0, limit),
  };
}
