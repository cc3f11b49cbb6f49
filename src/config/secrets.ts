import type { z } from 'zod';
import type { Config } from './schema.ts';

/** Config keys whose values are credentials: never printed, logged or echoed in an error. */
export const SECRET_KEYS = [
  'kafka.sasl.password',
  'api.key',
  'notify.discordWebhookUrl',
  'discord.botToken',
] as const;

export type SecretKey = (typeof SECRET_KEYS)[number];

export const MASK = '***';

export const isSecretKey = (key: string): key is SecretKey =>
  (SECRET_KEYS as readonly string[]).includes(key);

/**
 * A secret as it may be shown: the Discord webhook keeps its id (it tells which channel) with the
 * token masked; anything else, or a webhook that does not look like one, is masked whole.
 */
export function maskSecret(key: SecretKey, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (key === 'notify.discordWebhookUrl' && typeof value === 'string') {
    const masked = value.replace(/(\/webhooks\/[^/?#]+\/)[^/?#]+/, `$1${MASK}`);
    if (masked !== value) return masked;
  }
  return MASK;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `value`, found at the dotted `path` of a configuration ('' for the whole), with every secret it
 * holds masked; the input is not modified.
 */
export function maskSecretsAt(path: string, value: unknown): unknown {
  if (isSecretKey(path)) return maskSecret(path, value);
  const prefix = path === '' ? '' : `${path}.`;
  const below = SECRET_KEYS.filter((key) => key.startsWith(prefix));
  if (below.length === 0 || !isRecord(value)) return value;
  const copy: Record<string, unknown> = { ...value };
  for (const field of new Set(below.map((key) => key.slice(prefix.length).split('.')[0] as string)))
    if (field in copy) copy[field] = maskSecretsAt(`${prefix}${field}`, copy[field]);
  return copy;
}

/** The configuration as `cml config show` prints it. */
export const maskSecrets = (config: Config): Config => maskSecretsAt('', config) as Config;

type Issue = z.core.$ZodIssue;
const keyOf = (path: readonly PropertyKey[]): string =>
  path.filter((part): part is string => typeof part === 'string').join('.');

/**
 * zod issues with every input masked where it holds a secret: they travel in an error's details,
 * and so into logs. Nested issues (a union's branches) are masked at their own paths.
 */
export function maskIssues(
  issues: readonly Issue[],
  base: readonly PropertyKey[] = [],
): Record<string, unknown>[] {
  return issues.map((issue) => {
    const path = [...base, ...issue.path];
    const masked: Record<string, unknown> = { ...issue, input: maskSecretsAt(keyOf(path), issue.input) };
    if (issue.code === 'invalid_union')
      masked.errors = issue.errors.map((branch) => maskIssues(branch, path));
    if (issue.code === 'invalid_key' || issue.code === 'invalid_element')
      masked.issues = maskIssues(issue.issues, path);
    return masked;
  });
}
