import { describe, expect, it } from 'vitest';
import { fullBudget, takePost } from '../../../src/notify/index.ts';

describe('post budget', () => {
  it('allows perMinute posts at once, then one more each 60/perMinute s', () => {
    let budget = fullBudget(3, 0);
    const allowed: boolean[] = [];
    for (const now of [0, 0, 0, 0, 10_000, 19_999, 20_000, 20_001]) {
      const taken = takePost(budget, now, 3);
      budget = taken.budget;
      allowed.push(taken.allowed);
    }
    expect(allowed).toEqual([true, true, true, false, false, false, true, false]);
  });

  it('never saves up more than perMinute', () => {
    let budget = fullBudget(2, 0);
    let count = 0;
    for (let i = 0; i < 5; i++) {
      const taken = takePost(budget, 3_600_000, 2);
      budget = taken.budget;
      if (taken.allowed) count++;
    }
    expect(count).toBe(2);
  });
});
