import { describe, expect, it } from 'vitest';
import {
  chooseHolder,
  decodeClaim,
  encodeClaim,
  leaseHeartbeatMs,
  stepDownAfterMs,
} from '../../../src/standby/index.ts';

describe('chooseHolder', () => {
  it('given no claim, the first member by id holds the lease', () => {
    expect(chooseHolder([{ memberId: 'b' }, { memberId: 'a' }, { memberId: 'c' }])).toBe('a');
  });

  it('given a holder, a standby joining does not take the lease', () => {
    expect(chooseHolder([{ memberId: 'a' }, { memberId: 'z', heldSince: 5 }])).toBe('z');
  });

  it('given two claims (a paused holder rejoined), the later claim wins', () => {
    expect(
      chooseHolder([{ memberId: 'a', heldSince: 10 }, { memberId: 'b', heldSince: 20 }, { memberId: 'c' }]),
    ).toBe('b');
  });

  it('given no members, nobody', () => {
    expect(chooseHolder([])).toBeUndefined();
  });
});

describe('claims in join metadata', () => {
  it('round-trip a generation, and read a standby as none', () => {
    expect(decodeClaim(encodeClaim(1_764_000_000_123))).toBe(1_764_000_000_123);
    expect(decodeClaim(encodeClaim(undefined))).toBeUndefined();
    expect(decodeClaim(null)).toBeUndefined();
    expect(decodeClaim(Buffer.from('junk'))).toBeUndefined();
  });
});

describe('lease timing', () => {
  it('steps down two heartbeats before the session ends', () => {
    expect(leaseHeartbeatMs(10_000)).toBe(1_000);
    expect(stepDownAfterMs(10_000)).toBe(8_000);
    expect(leaseHeartbeatMs(6_000)).toBe(600);
    expect(stepDownAfterMs(6_000)).toBe(4_800);
  });
});
