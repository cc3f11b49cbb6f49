import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import { applySslSetting } from './kafka-security.ts';
import { configEnv, configSchema, type Config, type ConfigKey } from './schema.ts';
import { isSecretKey, maskIssues, maskSecretsAt } from './secrets.ts';

export interface LoadConfigOptions {
  /** Path of a JSON config file; when absent, `CML_CONFIG` or `./cml.config.json` if it exists. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment (CLI flags). */
  overrides?: Partial<Record<ConfigKey, string>>;
}

const DEFAULT_FILE = 'cml.config.json';

/** Loads and validates the configuration; a bad key fails with its name, its source and the rule. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.CML_CONFIG ?? (existsSync(DEFAULT_FILE) ? DEFAULT_FILE : undefined);
  const raw: Record<string, unknown> = file === undefined ? {} : readConfigFile(file);
  const sources = new Map<string, string>();

  for (const [key, variable] of Object.entries(configEnv) as [ConfigKey, string][]) {
    const fromFlag = options.overrides?.[key];
    const value = fromFlag ?? env[variable];
    if (value === undefined || value === '') continue;
    const source = fromFlag === undefined ? `environment variable ${variable}` : 'command-line flag';
    if (key === 'kafka.ssl' || key === 'kafka.ssl.ca') applySslSetting(raw, key, value, source);
    else setPath(raw, key, coerce(key, value));
    sources.set(key, source);
  }

  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw configError(parsed.error, sources, file);
}

function readConfigFile(file: string): Record<string, unknown> {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CmlError(ErrorCodes.CONFIG_FILE_UNREADABLE, `Cannot read config file ${path}`, {
      cause,
      hint: 'Check the path given by --config or CML_CONFIG.',
    });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (cause) {
    throw new CmlError(ErrorCodes.CONFIG_FILE_UNREADABLE, `Config file ${path} is not a JSON object`, {
      cause,
      hint: `Fix the JSON syntax (${(cause as Error).message}).`,
    });
  }
}

const LIST_KEYS: ReadonlySet<ConfigKey> = new Set([
  'kafka.brokers',
  'binance.symbols',
  'discord.operatorUserIds',
  'discord.operatorRoleIds',
]);
const NUMBER_KEYS: ReadonlySet<ConfigKey> = new Set([
  'kafka.connectionTimeoutMs',
  'kafka.sessionTimeoutMs',
  'binance.pollMs',
  'exchange.feeRate',
  'exchange.slippageBps',
  'exchange.initialCash',
]);

function coerce(key: ConfigKey, value: string): unknown {
  if (LIST_KEYS.has(key)) return value.split(',').map((part) => part.trim());
  if (NUMBER_KEYS.has(key)) return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  return value;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (typeof child !== 'object' || child === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1) as string] = value;
}

function configError(error: z.ZodError, sources: Map<string, string>, file: string | undefined): CmlError {
  const lines = error.issues.map((issue) => {
    const key = issue.path.filter((p) => typeof p !== 'number').join('.') || '(root)';
    const source = sources.get(key) ?? (file === undefined ? 'defaults' : `config file ${file}`);
    const unknownKeys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    const got =
      !('input' in issue) || issue.input === undefined
        ? ''
        : isSecretKey(key)
          ? ' (the value is a secret, not shown)'
          : ` (got ${JSON.stringify(maskSecretsAt(key, issue.input))})`;
    return `  ${key}${unknownKeys}, from ${source}: ${issue.message}${got}`;
  });
  const known = Object.entries(configEnv)
    .map(([key, variable]) => `${key} (${variable})`)
    .join(', ');
  return new CmlError(ErrorCodes.CONFIG_INVALID, `Invalid configuration:\n${lines.join('\n')}`, {
    hint: `Known keys: ${known}.`,
    details: { issues: maskIssues(error.issues) },
  });
}
