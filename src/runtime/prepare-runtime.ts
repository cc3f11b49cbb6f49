import type { Config } from '../config/index.ts';
import { CONTROL_SCHEMA, declaredTopics, TOPIC_CONTRACTS } from '../contracts/index.ts';
import type { CompatibilityLevel } from '../serde/index.ts';
import { applyTopics, type ApplyTopicsResult } from '../topics/apply-topics.ts';
import type { Runtime } from './runtime.ts';

export interface RegisteredSubject {
  readonly subject: string;
  readonly id: number;
  readonly version: number | undefined;
  readonly level: CompatibilityLevel;
}

export const compatibilityLevelOf =
  (config: Config) =>
  (subject: string): CompatibilityLevel =>
    config.registry.subjectCompatibility[subject] ?? config.registry.compatibility;

/**
 * Sets each subject's compatibility level and registers the schemas in avro/ (idempotent): the
 * data topics' and the controls'.
 */
export async function registerSchemas(runtime: Runtime, config: Config): Promise<RegisteredSubject[]> {
  const out: RegisteredSubject[] = [];
  for (const contract of [...Object.values(TOPIC_CONTRACTS), CONTROL_SCHEMA]) {
    const level = compatibilityLevelOf(config)(contract.subject);
    await runtime.registry.setCompatibility(contract.subject, level);
    const id = await runtime.registry.register(contract.subject, contract.schema);
    const latest = await runtime.registry.latest(contract.subject);
    out.push({ subject: contract.subject, id, version: latest?.version, level });
  }
  return out;
}

/**
 * Makes a runtime ready for the pipeline: declared topics exist with their configured retention
 * (retention drift is corrected: the configuration is the desired state; partition drift is only
 * reported), schemas are registered.
 */
export async function prepareRuntime(
  runtime: Runtime,
  config: Config,
): Promise<{ topics: ApplyTopicsResult; subjects: RegisteredSubject[] }> {
  const topics = await applyTopics(runtime.topicAdmin, declaredTopics(config.topics), { fix: true });
  const subjects = await registerSchemas(runtime, config);
  return { topics, subjects };
}
