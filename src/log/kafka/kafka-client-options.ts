import { resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { Config } from '../../config/index.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';

/** Reads a PEM file; `readFileSync` in production, a map in tests. */
export type ReadFile = (path: string) => string | Buffer;

/** How often and how patiently a client retries what the protocol marks retriable. */
const RETRY = { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000, multiplier: 2 } as const;

/**
 * The kafkajs client options for a `kafka` configuration (logging aside). The PEM files named by
 * `kafka.ssl` are read here, so a missing one fails at start-up with its key and its path
 * instead of as a TLS handshake error against every broker.
 */
export function kafkaClientOptions(config: Config['kafka'], readFile: ReadFile): KafkaConfig {
  const options: KafkaConfig = {
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    retry: { ...RETRY },
  };
  if (config.ssl !== false) options.ssl = config.ssl === true ? true : tlsOptions(config.ssl, readFile);
  if (config.sasl !== undefined) options.sasl = saslOptions(config.sasl);
  return options;
}

// One case per mechanism: kafkajs types each mechanism's options apart.
function saslOptions({ mechanism, username, password }: NonNullable<Config['kafka']['sasl']>): SASLOptions {
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
}

function tlsOptions(files: Exclude<Config['kafka']['ssl'], boolean>, readFile: ReadFile): ConnectionOptions {
  const tls: ConnectionOptions = { rejectUnauthorized: files.rejectUnauthorized };
  if (files.ca !== undefined) tls.ca = [readPem('kafka.ssl.ca', files.ca, readFile)];
  if (files.cert !== undefined) tls.cert = readPem('kafka.ssl.cert', files.cert, readFile);
  if (files.key !== undefined) tls.key = readPem('kafka.ssl.key', files.key, readFile);
  return tls;
}

function readPem(key: string, path: string, readFile: ReadFile): string | Buffer {
  try {
    return readFile(path);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new CmlError(ErrorCodes.CONFIG_INVALID, `${key}: cannot read ${resolve(path)} (${reason})`, {
      cause,
      hint: `Point ${key} at a readable PEM file (a relative path starts at the working directory).`,
      details: { key, path: resolve(path) },
    });
  }
}
