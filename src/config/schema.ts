import { z } from 'zod';

const compatibilityLevel = z.enum([
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
]);

const hostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9092');

/**
 * The configuration, with its defaults. Every key can come from the config file (nested JSON) or
 * from the environment variable named in `configEnv`; the environment wins.
 */
export const configSchema = z.strictObject({
  runtime: z.enum(['embedded', 'kafka']).default('embedded'),
  dataDir: z.string().min(1).default('./data'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  kafka: z
    .strictObject({
      brokers: z.array(hostPort).min(1).default(['127.0.0.1:9092']),
      clientId: z.string().min(1).default('crypto-ml-ledger'),
      compression: z.enum(['gzip', 'none']).default('gzip'),
      connectionTimeoutMs: z.number().int().positive().default(5_000),
    })
    .prefault({}),
  registry: z
    .strictObject({
      url: z.url().default('http://127.0.0.1:8081/apis/ccompat/v7'),
      compatibility: compatibilityLevel.default('BACKWARD'),
      /** Per-subject overrides of `compatibility`, e.g. {"crypto.orders-value": "FULL"} (config file only). */
      subjectCompatibility: z.record(z.string(), compatibilityLevel).default({}),
    })
    .prefault({}),
  /**
   * Per-topic changes to the spec's partitions and retention (config file only), e.g.
   * {"crypto.market_data": {"retentionMs": -1}} to keep imported history; -1 keeps forever.
   */
  topics: z
    .record(
      z.string(),
      z.strictObject({
        partitions: z.number().int().positive().optional(),
        retentionMs: z.number().int().min(-1).optional(),
      }),
    )
    .default({}),
  binance: z
    .strictObject({
      restUrl: z.url().default('https://api.binance.com'),
      wsUrl: z.url().default('wss://stream.binance.com:9443'),
      symbols: z
        .array(z.string().regex(/^[A-Z]{3,6}USDT$/, 'expected USDT pairs such as BTCUSDT'))
        .min(1)
        .default(['BTCUSDT', 'ETHUSDT']),
      interval: z
        .enum(['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d'])
        .default('1m'),
      mode: z.enum(['stream', 'poll']).default('stream'),
      pollMs: z.number().int().min(1_000).default(10_000),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;

/** Environment variable for each config key (dotted path). Lists are comma-separated. */
export const configEnv = {
  runtime: 'CML_RUNTIME',
  dataDir: 'CML_DATA_DIR',
  logLevel: 'LOG_LEVEL',
  'kafka.brokers': 'KAFKA_BROKERS',
  'kafka.clientId': 'KAFKA_CLIENT_ID',
  'kafka.compression': 'KAFKA_COMPRESSION',
  'kafka.connectionTimeoutMs': 'KAFKA_CONNECTION_TIMEOUT_MS',
  'registry.url': 'SCHEMA_REGISTRY_URL',
  'registry.compatibility': 'SCHEMA_COMPATIBILITY',
  'binance.restUrl': 'BINANCE_REST_URL',
  'binance.wsUrl': 'BINANCE_WS_URL',
  'binance.symbols': 'BINANCE_SYMBOLS',
  'binance.interval': 'BINANCE_INTERVAL',
  'binance.mode': 'BINANCE_MODE',
  'binance.pollMs': 'BINANCE_POLL_MS',
} as const;

export type ConfigKey = keyof typeof configEnv;
