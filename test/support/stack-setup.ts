import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

/**
 * Global set-up of the `int` tier: real Kafka and a real schema registry. KAFKA_BROKERS and
 * SCHEMA_REGISTRY_URL name a running stack; otherwise the project's own stack is started (and
 * stopped afterwards if this run started it). A stack that cannot start fails the run: these
 * tests never skip.
 */
const run = (...args: string[]): number =>
  spawnSync('bash', ['scripts/stack/stack.sh', ...args], { stdio: 'inherit' }).status ?? 1;

export default function setup(project: TestProject): (() => void) | undefined {
  const brokers = process.env.KAFKA_BROKERS;
  const registry = process.env.SCHEMA_REGISTRY_URL;
  let startedHere = false;
  if (brokers === undefined || registry === undefined) {
    if (run('status') !== 0) {
      startedHere = true;
      if (run('up') !== 0) {
        throw new Error(
          'The local Kafka + schema registry could not start (see the output above). Integration tests need them: ' +
            'install Java 17 and Maven, or set KAFKA_BROKERS and SCHEMA_REGISTRY_URL to a running stack.',
        );
      }
    }
  }
  project.provide('kafkaBrokers', brokers ?? '127.0.0.1:9092');
  project.provide('registryUrl', registry ?? 'http://127.0.0.1:8081/apis/ccompat/v7');
  if (!startedHere || process.env.STACK_KEEP === '1') return undefined;
  return () => {
    run('down');
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    registryUrl: string;
  }
}
