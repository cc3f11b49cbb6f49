export { configSchema, configEnv, type Config, type ConfigKey } from './schema.ts';
export { loadConfig, type LoadConfigOptions } from './load-config.ts';
