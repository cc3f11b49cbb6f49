import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderEvent, OrderStatus } from '../../../src/contracts/index.ts';
import { evolveOrder, SEQUENCE_OF } from '../../../src/ledger/order-transitions.ts';
import { pendingOrder, T0 } from '../../support/messages.ts';

const eventOf = (status: OrderStatus, id = 'ORD-20231128-001'): OrderEvent =>
  pendingOrder({
    order_id: id,
    status,
    sequence: SEQUENCE_OF[status],
    event_time: status === 'PENDING' ? null : T0 + 60_000 * SEQUENCE_OF[status],
  });

const fold = (
  events: OrderEvent[],
): { state: OrderEvent | undefined; applied: OrderStatus[]; rejected: number; duplicates: number } => {
  let state: OrderEvent | undefined;
  const applied: OrderStatus[] = [];
  let rejected = 0;
  let duplicates = 0;
  for (const event of events) {
    const result = evolveOrder(state, event);
    if (result.kind === 'applied') {
      state = result.order;
      applied.push(result.order.status);
    } else if (result.kind === 'duplicate') duplicates++;
    else rejected++;
  }
  return { state, applied, rejected, duplicates };
};

describe('the order state machine', () => {
  // given the order's status (or none), when an event arrives, then:
  const table: Array<[OrderStatus | 'none', OrderStatus, 'applied' | 'duplicate' | 'rejected']> = [
    ['none', 'PENDING', 'applied'],
    ['none', 'FILLED', 'rejected'],
    ['none', 'CANCELLED', 'rejected'],
    ['none', 'CLOSED', 'rejected'],
    ['PENDING', 'PENDING', 'duplicate'],
    ['PENDING', 'FILLED', 'applied'],
    ['PENDING', 'CANCELLED', 'applied'],
    ['PENDING', 'CLOSED', 'rejected'],
    ['FILLED', 'PENDING', 'duplicate'],
    ['FILLED', 'FILLED', 'duplicate'],
    ['FILLED', 'CANCELLED', 'rejected'],
    ['FILLED', 'CLOSED', 'applied'],
    ['CANCELLED', 'PENDING', 'duplicate'],
    ['CANCELLED', 'FILLED', 'rejected'],
    ['CANCELLED', 'CANCELLED', 'duplicate'],
    ['CANCELLED', 'CLOSED', 'rejected'],
    ['CLOSED', 'PENDING', 'duplicate'],
    ['CLOSED', 'FILLED', 'duplicate'],
    ['CLOSED', 'CANCELLED', 'rejected'],
    ['CLOSED', 'CLOSED', 'duplicate'],
  ];
  it.each(table)('given %s, when %s arrives, then %s', (given, when, then) => {
    expect(evolveOrder(given === 'none' ? undefined : eventOf(given), eventOf(when)).kind).toBe(then);
  });

  it('rejects a sequence that does not match the status, and another order id', () => {
    expect(evolveOrder(eventOf('PENDING'), { ...eventOf('FILLED'), sequence: 2 })).toMatchObject({
      kind: 'rejected',
    });
    expect(evolveOrder(eventOf('PENDING'), eventOf('FILLED', 'ORD-20231128-002'))).toMatchObject({
      kind: 'rejected',
    });
  });

  it('never fills twice, closes twice, or closes before filling, whatever the event sequence', () => {
    const statuses: OrderStatus[] = ['PENDING', 'FILLED', 'CANCELLED', 'CLOSED'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...statuses), { maxLength: 12 }), (sequence) => {
        const { applied, state } = fold(sequence.map((status) => eventOf(status)));
        expect(applied.filter((s) => s === 'FILLED').length).toBeLessThanOrEqual(1);
        expect(applied.filter((s) => s === 'CLOSED').length).toBeLessThanOrEqual(1);
        expect(applied.filter((s) => s === 'PENDING').length).toBeLessThanOrEqual(1);
        const closedAt = applied.indexOf('CLOSED');
        if (closedAt >= 0) expect(applied.indexOf('FILLED')).toBeLessThan(closedAt);
        if (applied.includes('CANCELLED')) expect(applied).not.toContain('FILLED');
        // The final state is the last applied event, and the applied ones form a valid path.
        expect(state?.status).toBe(applied.at(-1));
        expect([
          ['PENDING'],
          ['PENDING', 'FILLED'],
          ['PENDING', 'CANCELLED'],
          ['PENDING', 'FILLED', 'CLOSED'],
          [],
        ]).toContainEqual(applied);
      }),
      { numRuns: 3_000 },
    );
  });

  it('reaches the same state from a log with every event repeated (replay is idempotent)', () => {
    const path = ['PENDING', 'FILLED', 'CLOSED'].map((s) => eventOf(s as OrderStatus));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }), (repeats) => {
        const noisy = path.flatMap((event, i) => Array.from({ length: repeats[i] as number }, () => event));
        expect(fold(noisy).state).toEqual(fold(path).state);
        expect(fold(noisy).rejected).toBe(0);
      }),
    );
  });
});
