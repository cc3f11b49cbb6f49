export { configSchema, configEnv, type Config, type ConfigKey } from './schema.ts';
export { loadConfig, type LoadConfigOptions } from './load-config.ts';
export { maskSecrets, isSecretKey, SECRET_KEYS, type SecretKey } from './secrets.ts';
