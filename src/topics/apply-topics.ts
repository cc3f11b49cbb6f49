import type { TopicSpec } from '../contracts/topics.ts';
import { planTopics, type TopicDrift, type TopicPlan } from './plan-topics.ts';
import type { TopicAdmin } from './topic-admin.ts';

export interface ApplyTopicsResult {
  readonly plan: TopicPlan;
  readonly created: readonly string[];
  /** Drift that was corrected (retention); partition drift can never be fixed in place. */
  readonly fixed: readonly TopicDrift[];
  readonly remainingDrift: readonly TopicDrift[];
}

/** Creates missing topics and reports drift; with `fix`, aligns retention with the declaration. */
export async function applyTopics(
  admin: TopicAdmin,
  declared: readonly TopicSpec[],
  options: { fix: boolean; dryRun?: boolean } = { fix: false },
): Promise<ApplyTopicsResult> {
  const existing = await admin.describeTopics(declared.map((spec) => spec.name));
  const plan = planTopics(declared, existing);
  if (options.dryRun === true) return { plan, created: [], fixed: [], remainingDrift: plan.drift };
  if (plan.create.length > 0) await admin.createTopics(plan.create);
  const fixed: TopicDrift[] = [];
  if (options.fix) {
    for (const drift of plan.drift) {
      if (drift.kind !== 'retention') continue;
      await admin.setRetention(drift.topic, drift.declared);
      fixed.push(drift);
    }
  }
  return {
    plan,
    created: plan.create.map((spec) => spec.name),
    fixed,
    remainingDrift: plan.drift.filter((drift) => !fixed.includes(drift)),
  };
}
