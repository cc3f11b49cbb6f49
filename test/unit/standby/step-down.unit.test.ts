import { describe, expect, it } from 'vitest';
import { stepDownOnFailure } from '../../../src/standby/index.ts';

describe('stepDownOnFailure', () => {
  it('given a failure while becoming active, steps down with the reason', async () => {
    const reasons: string[] = [];
    const activating = stepDownOnFailure((reason) => reasons.push(reason));
    await expect(activating(() => Promise.reject(new Error('connect ECONNREFUSED')))).rejects.toThrow();
    expect(reasons).toEqual(['could not become active: connect ECONNREFUSED']);
  });

  it('given success, returns what started and steps nothing down', async () => {
    const reasons: string[] = [];
    await expect(stepDownOnFailure((reason) => reasons.push(reason))(() => Promise.resolve(7))).resolves.toBe(
      7,
    );
    expect(reasons).toEqual([]);
  });
});
