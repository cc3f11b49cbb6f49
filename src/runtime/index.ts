export type { Runtime } from './runtime.ts';
export { openRuntime } from './open-runtime.ts';
export { openKafkaRuntime, type KafkaRuntime } from './kafka-runtime.ts';
export { openEmbeddedRuntime, type EmbeddedRuntime, type OpenEmbeddedOptions } from './embedded-runtime.ts';
export {
  prepareRuntime,
  registerSchemas,
  compatibilityLevelOf,
  type RegisteredSubject,
} from './prepare-runtime.ts';
