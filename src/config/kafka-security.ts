import { z } from 'zod';
import { CmlError, ErrorCodes } from '../errors/index.ts';

/** PEM files of a TLS connection; paths are read when the Kafka client is built (relative: to the working directory). */
const sslFiles = z
  .strictObject({
    ca: z.string().min(1).optional(),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    /** false accepts any broker certificate: for a test cluster only. */
    rejectUnauthorized: z.boolean().default(true),
  })
  .superRefine((files, ctx) => {
    // A client certificate without its private key (or the reverse) cannot authenticate.
    if ((files.cert === undefined) !== (files.key === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [files.cert === undefined ? 'cert' : 'key'],
        message: 'kafka.ssl.cert and kafka.ssl.key go together (a client certificate and its private key)',
      });
  });

export type KafkaSslFiles = z.output<typeof sslFiles>;

const flag = z.stringbool();
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `kafka.ssl`: true / false (also "true", "false"... from the environment), or the PEM files.
 * Parsed by hand rather than as a union, so a bad field is reported by its own key
 * (`kafka.ssl.ca`) instead of a union's "Invalid input".
 */
export const kafkaSslSchema = z.unknown().transform((value, ctx): boolean | KafkaSslFiles => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const parsed = flag.safeParse(value);
    if (parsed.success) return parsed.data;
  }
  if (isRecord(value)) {
    const parsed = sslFiles.safeParse(value, { reportInput: true });
    if (parsed.success) return parsed.data;
    // Re-raised as they are, so each keeps its own path below kafka.ssl.
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  }
  ctx.addIssue({
    code: 'custom',
    input: value,
    message: 'expected true, false or {"ca", "cert", "key": PEM file paths, "rejectUnauthorized": boolean}',
  });
  return z.NEVER;
});

const required = (iss: { input: unknown }): string | undefined =>
  iss.input === undefined ? 'required when kafka.sasl is set' : undefined;

/** `kafka.sasl`: username and password over one of the mechanisms kafkajs ships. */
export const kafkaSaslSchema = z.strictObject({
  mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], {
    error: (iss) => required(iss) ?? 'expected plain, scram-sha-256 or scram-sha-512',
  }),
  username: z.string({ error: required }).min(1),
  password: z
    .string({ error: required })
    .min(1)
    .refine((v) => v.trim() !== '', 'must not be blank'),
});

export type KafkaSasl = z.output<typeof kafkaSaslSchema>;

/**
 * Puts KAFKA_SSL or KAFKA_SSL_CA into the raw configuration's `kafka.ssl`. KAFKA_SSL=true keeps the
 * file's PEM files (TLS is on either way); KAFKA_SSL_CA adds its CA to them and turns TLS on,
 * unless `kafka.ssl` is false: the two disagree, and that is an error rather than a guess.
 */
export function applySslSetting(
  raw: Record<string, unknown>,
  key: 'kafka.ssl' | 'kafka.ssl.ca',
  value: string,
  source: string,
): void {
  const kafka = isRecord(raw.kafka) ? raw.kafka : (raw.kafka = {});
  const current = kafka.ssl;
  if (key === 'kafka.ssl') {
    const on = flag.safeParse(value);
    kafka.ssl = isRecord(current) && on.success && on.data ? current : value;
    return;
  }
  const off = current === false || (typeof current === 'string' && flag.safeParse(current).data === false);
  if (off)
    throw new CmlError(
      ErrorCodes.CONFIG_INVALID,
      `Invalid configuration:\n  kafka.ssl.ca, from ${source}: a CA is given while kafka.ssl is false`,
      { hint: 'Set kafka.ssl (KAFKA_SSL) to true, or drop the CA.' },
    );
  kafka.ssl = isRecord(current) ? { ...current, ca: value } : { ca: value };
}
