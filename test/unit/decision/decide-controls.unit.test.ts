import { describe, expect, it } from 'vitest';
import { FORCE_CLOSE_STRATEGY, type OperatorControl } from '../../../src/contracts/index.ts';
import { appliesFrom, recordControl } from '../../../streams/decision/controls-state.ts';
import { decide } from '../../../streams/decision/decide.ts';
import { initialDecisionState, type DecisionState } from '../../../streams/decision/decision-state.ts';
import { SETTINGS, at, cashOnly, filled, onlyOrder, settle, signal } from './decision-fixtures.ts';

const reasonOf = (decision: { reasons: readonly { reason: string }[] }): string | undefined =>
  decision.reasons[0]?.reason;

/** The engine's record of a control, applying from `from`. */
const recorded = (
  action: OperatorControl['action'],
  from: number,
  symbol: string | null = null,
): OperatorControl => ({
  control_id: `${action}-${symbol ?? 'all'}-${from}`,
  action,
  symbol,
  requested_at: from,
  requested_by: 'test',
  reason: null,
  applied_from: from,
});

const withControls = (...controls: OperatorControl[]): DecisionState =>
  controls.reduce(
    (state, control) => ({ ...state, controls: recordControl(state.controls, control) }),
    initialDecisionState(),
  );

/** Given: a BUY of BTCUSDT at minute 1, filled at 100 at minute 2. */
function holding() {
  const bought = decide(initialDecisionState(), signal(), cashOnly(), SETTINGS);
  const order = onlyOrder(bought);
  return { state: bought.state, portfolio: settle(cashOnly(), order, filled(order, 100, at(2))) };
}

describe('decide: operators controls', () => {
  it('a pause of every symbol skips a BUY from its time on, not before', () => {
    const state = withControls(recorded('PAUSE_ENTRIES', at(5)));
    expect(onlyOrder(decide(state, signal({ timestamp: at(4) }), cashOnly(), SETTINGS)).action).toBe('BUY');
    expect(reasonOf(decide(state, signal({ timestamp: at(5) }), cashOnly(), SETTINGS))).toBe('PAUSED');
  });

  it('paused entries still sell: a SELL signal closes the open position', () => {
    const { state, portfolio } = holding();
    const paused = { ...state, controls: recordControl(state.controls, recorded('PAUSE_ENTRIES', at(3))) };
    const sell = decide(paused, signal({ signal: 'SELL', timestamp: at(4) }), portfolio, SETTINGS);
    expect(onlyOrder(sell).action).toBe('SELL');
  });

  it('a resume lifts the pause of its own scope only', () => {
    const state = withControls(
      recorded('PAUSE_ENTRIES', at(1)),
      recorded('PAUSE_ENTRIES', at(1), 'ETHUSDT'),
      recorded('RESUME_ENTRIES', at(3)),
    );
    expect(onlyOrder(decide(state, signal({ timestamp: at(3) }), cashOnly(), SETTINGS)).symbol).toBe(
      'BTCUSDT',
    );
    const eth = decide(state, signal({ symbol: 'ETHUSDT', timestamp: at(3) }), cashOnly(), SETTINGS);
    expect(reasonOf(eth)).toBe('PAUSED');
  });

  it('a force-close sells the open lots at the next signal of its symbol, even a HOLD, once', () => {
    const { state, portfolio } = holding();
    const forced = {
      ...state,
      controls: recordControl(state.controls, recorded('FORCE_CLOSE', at(3), 'BTCUSDT')),
    };
    const other = decide(
      forced,
      signal({ symbol: 'ETHUSDT', signal: 'HOLD', timestamp: at(3) }),
      portfolio,
      SETTINGS,
    );
    expect(other.orders).toEqual([]);
    const sell = decide(other.state, signal({ signal: 'HOLD', timestamp: at(4) }), portfolio, SETTINGS);
    expect(onlyOrder(sell)).toMatchObject({
      action: 'SELL',
      order_type: 'MARKET',
      strategy: FORCE_CLOSE_STRATEGY,
      trigger_signal: { model: 'operator' },
    });
    expect(
      decide(sell.state, signal({ signal: 'HOLD', timestamp: at(5) }), portfolio, SETTINGS).orders,
    ).toEqual([]);
  });

  it('a force-close with nothing open at its time places nothing', () => {
    const state = withControls(recorded('FORCE_CLOSE', at(1), 'BTCUSDT'));
    const decision = decide(state, signal({ signal: 'HOLD' }), cashOnly(), SETTINGS);
    expect(reasonOf(decision)).toBe('NO_POSITION');
    expect(decision.state.controls.forceCloses.size).toBe(0);
  });

  it('a request seen after a signal of the same time applies from the next millisecond', () => {
    expect(appliesFrom(at(2), at(1))).toBe(at(2));
    expect(appliesFrom(at(2), at(2))).toBe(at(2) + 1);
    expect(appliesFrom(at(2), undefined)).toBe(at(2) + 1);
  });
});
