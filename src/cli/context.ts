import { loadConfig, type Config, type ConfigKey } from '../config/index.ts';
import { createLogger, type Logger } from '../observability/logger.ts';

/** Global options every command accepts. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  runtime?: string;
  brokers?: string;
  registry?: string;
  logLevel?: string;
}

/** What a command gets: validated configuration and a logger, built from the global options. */
export interface CommandContext {
  readonly config: Config;
  readonly logger: Logger;
}

export function createContext(options: GlobalOptions): CommandContext {
  const overrides: Partial<Record<ConfigKey, string>> = {};
  if (options.dataDir !== undefined) overrides.dataDir = options.dataDir;
  if (options.runtime !== undefined) overrides.runtime = options.runtime;
  if (options.brokers !== undefined) overrides['kafka.brokers'] = options.brokers;
  if (options.registry !== undefined) overrides['registry.url'] = options.registry;
  if (options.logLevel !== undefined) overrides.logLevel = options.logLevel;
  const config = loadConfig({ file: options.config, overrides });
  return { config, logger: createLogger(config.logLevel) };
}
