/**
 * A token bucket for posts: `perMinute` posts a minute, refilled continuously, at most `perMinute`
 * at once (pure: the state and the time come in, the new state goes out).
 */
export interface PostBudget {
  readonly tokens: number;
  readonly at: number;
}

export const fullBudget = (perMinute: number, now: number): PostBudget => ({ tokens: perMinute, at: now });

export function takePost(
  budget: PostBudget,
  now: number,
  perMinute: number,
): { allowed: boolean; budget: PostBudget } {
  const refilled = Math.min(perMinute, budget.tokens + (Math.max(0, now - budget.at) * perMinute) / 60_000);
  return refilled >= 1
    ? { allowed: true, budget: { tokens: refilled - 1, at: now } }
    : { allowed: false, budget: { tokens: refilled, at: now } };
}
