import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import { openEmbeddedRuntime, type OpenEmbeddedOptions } from './embedded-runtime.ts';
import { openKafkaRuntime } from './kafka-runtime.ts';
import type { Runtime } from './runtime.ts';

/** Opens the runtime the configuration names (the options apply to the embedded one). */
export const openRuntime = (
  config: Config,
  logger: Logger,
  options: OpenEmbeddedOptions = {},
): Promise<Runtime> =>
  config.runtime === 'kafka'
    ? openKafkaRuntime(config, logger)
    : Promise.resolve(openEmbeddedRuntime(config, options));
