import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MlSignal, OrderEvent } from '../../../src/contracts/index.ts';
import { decide } from '../../../streams/decision/decide.ts';
import {
  evolveDecision,
  initialDecisionState,
  type DecisionState,
} from '../../../streams/decision/decision-state.ts';
import { formatOrderId, parseOrderId, utcDayOf } from '../../../streams/decision/order-ids.ts';
import { pendingOrder } from '../../support/messages.ts';
import { SETTINGS, at, cashOnly, decideAll, signal } from './decision-fixtures.ts';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT'];

/** One high BUY per symbol, each a minute apart: five orders, none blocking another. */
const buys = (startMinute: number): MlSignal[] =>
  SYMBOLS.map((symbol, i) => signal({ symbol, timestamp: at(startMinute + i) }));

const idsOf = (decisions: readonly { orders: readonly OrderEvent[] }[]): string[] =>
  decisions.flatMap((d) => d.orders.map((o) => o.order_id));

describe('order ids ORD-YYYYMMDD-NNN', () => {
  it('count up per UTC day of the signal, from 001', () => {
    const portfolio = cashOnly(100_000);
    const first = decideAll(initialDecisionState(), buys(0).slice(0, 3), portfolio);
    // 13:55 UTC the next day, whatever the local time zone.
    const nextDay = decideAll(
      first.state,
      [signal({ symbol: 'BNBUSDT', timestamp: at(24 * 60 + 235) })],
      portfolio,
    );
    expect([...idsOf(first.decisions), ...idsOf(nextDay.decisions)]).toEqual([
      'ORD-20240102-001',
      'ORD-20240102-002',
      'ORD-20240102-003',
      'ORD-20240103-001',
    ]);
  });

  it('go on after the highest id in the log, whoever wrote it', () => {
    const state = evolveDecision(
      initialDecisionState(),
      pendingOrder({ order_id: 'ORD-20240102-041', symbol: 'DOGEUSDT' }),
    );
    const decision = decide(state, signal(), cashOnly(), SETTINGS);
    expect(idsOf([decision])).toEqual(['ORD-20240102-042']);
  });

  it('take more digits after 999 instead of colliding', () => {
    const state = evolveDecision(
      initialDecisionState(),
      pendingOrder({ order_id: 'ORD-20240102-999', symbol: 'DOGEUSDT' }),
    );
    const { decisions, state: after } = decideAll(state, buys(0).slice(0, 2), cashOnly(100_000));
    expect(idsOf(decisions)).toEqual(['ORD-20240102-1000', 'ORD-20240102-1001']);
    expect(after.lastSequenceByDay.get('20240102')).toBe(1001);
    expect(parseOrderId('ORD-20240102-1000')).toEqual({ day: '20240102', sequence: 1000 });
    expect(formatOrderId('20240102', 7)).toBe('ORD-20240102-007');
    expect(utcDayOf(Date.UTC(2024, 0, 2, 23, 59, 59, 999))).toBe('20240102');
  });

  it('are the same on a replay, and after a restart that folds the orders log', () => {
    const portfolio = cashOnly(100_000);
    const signals = buys(0);
    const once = decideAll(initialDecisionState(), signals, portfolio);
    const again = decideAll(initialDecisionState(), signals, portfolio);
    expect(again.decisions.flatMap((d) => d.orders)).toEqual(once.decisions.flatMap((d) => d.orders));

    // A restart after the first three: the engine folds the orders log, then decides the rest.
    const before = decideAll(initialDecisionState(), signals.slice(0, 3), portfolio);
    let restarted: DecisionState = initialDecisionState();
    for (const order of before.decisions.flatMap((d) => d.orders))
      restarted = evolveDecision(restarted, order);
    const after = decideAll(restarted, signals.slice(3), portfolio);
    expect(idsOf([...before.decisions, ...after.decisions])).toEqual(idsOf(once.decisions));
    // And it still knows its PENDING BUYs: no second BTCUSDT order.
    expect(decide(restarted, signal({ timestamp: at(9) }), portfolio, SETTINGS).reasons[0]?.reason).toBe(
      'ORDER_PENDING',
    );
  });

  it('folding its own orders back from the log changes nothing', () => {
    const { state, decisions } = decideAll(initialDecisionState(), buys(0), cashOnly(100_000));
    let refolded = state;
    for (const order of decisions.flatMap((d) => d.orders)) refolded = evolveDecision(refolded, order);
    expect(refolded).toBe(state);
  });
});

describe('the UTC day of an event time', () => {
  it('is the ISO date of the time, whatever day was asked for before (the last day is remembered)', () => {
    const iso = (t: number): string => new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
    const day = 86_400_000;
    const times = [
      at(0),
      at(0) + day - 1,
      at(0) + day,
      at(0) - 1,
      0,
      -1,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    ];
    for (const t of [...times, ...times.reverse()]) expect(utcDayOf(t)).toBe(iso(t));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { maxLength: 20 }), (ts) => {
        for (const t of ts) expect(utcDayOf(t)).toBe(iso(t));
      }),
    );
  });
});
