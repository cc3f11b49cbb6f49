import { z } from 'zod';
import { kafkaSaslSchema, kafkaSslSchema } from './kafka-security.ts';

const compatibilityLevel = z.enum([
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
]);

/**
 * A number from a config file, or a plain decimal from the environment. `Number()` would read ""
 * and " " as 0 and "0x10" as 16; those stay strings here, and are refused.
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const decimal = <T extends z.ZodNumber>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && DECIMAL.test(v.trim()) ? Number(v) : v), schema);

/** A secret: blank or padded with whitespace, no client could ever send it. */
export const secretString = (minLength: number, tooShort: string): z.ZodString =>
  z
    .string()
    .min(minLength, tooShort)
    .refine((v) => v.trim() === v && v.trim() !== '', 'must not be blank or start or end with whitespace');

const DAY_MS = 86_400_000;

/** A Discord id (snowflake): 17 to 20 digits. */
const snowflake = z.string().regex(/^\d{17,20}$/, 'expected a Discord id: 17 to 20 digits');

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
      connectionTimeoutMs: z.number().int().positive().max(300_000).default(5_000),
      /** A consumer that stops heartbeating leaves its group after this long (the broker allows 6 s to 5 min). */
      sessionTimeoutMs: z.number().int().min(6_000).max(300_000).default(10_000),
      /** TLS to the brokers: true (the system's CAs), or PEM files {ca, cert, key, rejectUnauthorized}. */
      ssl: kafkaSslSchema.default(false),
      /** SASL authentication (plain, scram-sha-256, scram-sha-512); the password is a secret. */
      sasl: kafkaSaslSchema.optional(),
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
        partitions: z.number().int().positive().max(1_000).optional(),
        retentionMs: z
          .number()
          .int()
          .min(-1)
          .max(100 * 365 * DAY_MS)
          .optional(),
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
      pollMs: z.number().int().min(1_000).max(DAY_MS).default(10_000),
    })
    .prefault({}),
  /** The virtual exchange (streams/exchange): execution costs, the paper account, and when bars settle. */
  exchange: z
    .strictObject({
      group: z.string().min(1).default('virtual-exchange'),
      /** Taker fee as a fraction of notional (0.001 = 0.1 %). */
      feeRate: z.number().min(0).lt(1).default(0.001),
      /** Slippage against the taker in basis points; a fill never leaves the bar's high/low. */
      slippageBps: z.number().min(0).max(1_000).default(0),
      /** How long an unfilled LIMIT order without expires_at lives. */
      limitTtlMs: z
        .number()
        .int()
        .positive()
        .max(365 * DAY_MS)
        .default(3_600_000),
      initialCash: z.number().positive().max(1e12).default(10_000),
      /**
       * When a bar may settle: `pipeline` once the signals processor and the decision engine have
       * passed it (deterministic across processes); `log` as soon as the orders in the log are
       * folded (for order logs written ahead, or orders typed by hand).
       */
      watermark: z.enum(['pipeline', 'log']).default('pipeline'),
    })
    .prefault({}),
  /** The decision engine (streams/decision): confidence rules, sizing and risk; defaults from the spec. */
  decision: z
    .strictObject({
      group: z.string().min(1).default('decision-engine'),
      highConfidence: decimal(z.number().min(0).max(1)).default(0.8),
      minConfidence: decimal(z.number().min(0).max(1)).default(0.6),
      agreementWindowMs: decimal(
        z
          .number()
          .int()
          .nonnegative()
          .max(30 * DAY_MS),
      ).default(300_000),
      buyThresholdPct: decimal(z.number().min(-100).max(1_000)).default(1.5),
      positionSizePct: decimal(z.number().positive().max(100)).default(10),
      maxPositionPct: decimal(z.number().positive().max(100)).default(25),
      volatilityScaling: z.union([z.boolean(), z.stringbool()]).default(false),
      volatilityTargetPct: decimal(z.number().positive().max(1_000)).default(0.5),
      stopLossPct: decimal(z.number().negative().gt(-100)).default(-2),
      takeProfitPct: decimal(z.number().positive().max(1_000)).default(5),
      cooldownMs: decimal(
        z
          .number()
          .int()
          .nonnegative()
          .max(30 * DAY_MS),
      ).default(900_000),
      maxDrawdownPct: decimal(z.number().positive().max(100)).default(10),
      quantityStep: decimal(z.number().positive().max(1e6)).default(0.000001),
      minOrderValue: decimal(z.number().nonnegative().max(1e12)).default(10),
      feeRate: decimal(z.number().min(0).lt(1)).default(0.001),
      maxPositionsPerSymbol: decimal(z.number().int().positive().max(1_000)).default(1),
      orderType: z.enum(['MARKET', 'LIMIT']).default('MARKET'),
      strategy: z.string().min(1).default('ml_signal_strategy'),
    })
    .refine((d) => d.minConfidence <= d.highConfidence, {
      message: 'minConfidence must be <= highConfidence',
      path: ['minConfidence'],
    })
    .prefault({}),
  /** The HTTP API (src/api). Only `api.key` has an environment variable; the rest is config file only. */
  api: z
    .strictObject({
      /** Where the API and the dashboard listen (`npm start`, `cml start`). */
      host: z.string().min(1).default('127.0.0.1'),
      port: decimal(z.number().int().min(0).max(65_535)).default(3000),
      /** Key of the mutating routes (x-api-key header); without one they answer 503. */
      key: secretString(16, 'use at least 16 characters').optional(),
      /** Origins allowed by CORS; empty: no CORS headers at all. */
      corsOrigins: z.array(z.url()).default([]),
      /** Requests per window and client on each mutating route. */
      rateLimit: z
        .strictObject({
          max: z.number().int().positive().max(1_000_000).default(30),
          windowMs: z.number().int().positive().max(DAY_MS).default(60_000),
        })
        .prefault({}),
      /** Ready when every projection has at most `maxLag` records to fold, or had within `graceMs`. */
      readiness: z
        .strictObject({
          maxLag: z.number().int().min(0).max(1e12).default(0),
          graceMs: z.number().int().min(0).max(DAY_MS).default(5_000),
        })
        .prefault({}),
    })
    .prefault({}),
  /** The Discord notifier (src/notify, `cml notify`). */
  notify: z
    .strictObject({
      /** https://discord.com/api/webhooks/<id>/<token>: a secret, best kept in DISCORD_WEBHOOK_URL. */
      discordWebhookUrl: z.url().optional(),
      /** Its progress is committed in `<group>.posted`. */
      group: z.string().min(1).default('discord-notifier'),
      /** Where a notifier with no progress yet starts: the log's beginning, or only events from now on. */
      fromBeginning: z.union([z.boolean(), z.stringbool()]).default(false),
      /**
       * BUY and SELL signals of crypto.ml_signals at or above this confidence are posted too
       * (`cml notify`); absent: no signal is posted.
       */
      signalMinConfidence: decimal(z.number().min(0).max(1)).optional(),
      /** At most this many signal posts a minute; the signals beyond it are dropped and counted. */
      signalsPerMinute: decimal(z.number().int().positive().max(60)).default(6),
    })
    .prefault({}),
  /** The Discord bot (src/discord): HTTP interactions on the API's server, `cml discord register`. */
  discord: z
    .strictObject({
      /** The application's Ed25519 public key (64 hex characters); with it the API serves /discord/interactions. */
      publicKey: z
        .string()
        .regex(
          /^[0-9a-fA-F]{64}$/,
          'expected the 64 hexadecimal characters of the public key (developer portal, General Information)',
        )
        .optional(),
      applicationId: snowflake.optional(),
      /** The bot's token, for `cml discord register`: a secret, best kept in DISCORD_BOT_TOKEN. */
      botToken: secretString(20, 'a bot token is longer (developer portal, Bot, Reset Token)').optional(),
      /** Discord's REST base (a local fake in tests). */
      apiUrl: z.url().default('https://discord.com/api/v10'),
      /** Who may /pause, /resume and /close: these users, and members with any of these roles. */
      operatorUserIds: z.array(snowflake).default([]),
      operatorRoleIds: z.array(snowflake).default([]),
    })
    .prefault({}),
  /** The ML stage (src/ml, streams/signals): training and serving. */
  ml: z
    .strictObject({
      /** Where model artifacts are kept (default `<dataDir>/models`). */
      modelsDir: z.string().min(1).optional(),
      /** Models trained by default and served, as `<model>:<target>` (comma-separated in the environment). */
      models: z
        .preprocess(
          (v) => (typeof v === 'string' ? v.split(',').map((p) => p.trim()) : v),
          z.array(
            z
              .string()
              .regex(
                /^(random_forest:(price|price_change|trend)|svm:trend|logistic_regression:trend|gradient_boosting:trend|ma_rsi_rule:trend)$/,
                'expected random_forest:price|price_change|trend, svm:trend, logistic_regression:trend, gradient_boosting:trend or ma_rsi_rule:trend',
              ),
          ),
        )
        .default([
          'random_forest:price',
          'random_forest:price_change',
          'random_forest:trend',
          'logistic_regression:trend',
          'svm:trend',
        ]),
      /** The MA/RSI rule's thresholds (`ma_rsi_rule:trend`): BUY on a cross up below, SELL above. */
      rule: z
        .strictObject({
          buyRsiBelow: z.coerce.number().min(0).max(100).default(70),
          sellRsiAbove: z.coerce.number().min(0).max(100).default(80),
        })
        .prefault({}),
      /** Bars ahead a model predicts. */
      horizonBars: decimal(z.number().int().positive().max(10_000)).default(48),
      /** Trend band and BUY/SELL threshold, percent (the spec's 1.5). */
      bandPct: decimal(z.number().positive().max(100)).default(1.5),
      /** Latest share of the labelled bars held out for the out-of-sample metrics. */
      testShare: decimal(z.number().gt(0).lt(1)).default(0.25),
      forestEngine: z.enum(['fast', 'ml-random-forest']).default('fast'),
      /** What trend classifiers learn: the ±band at the horizon, or the trade's stop-loss / take-profit barriers. */
      labels: z.enum(['band', 'barrier']).default('band'),
      /** `balanced`: classifiers weigh every class the same, so rare up and down moves get predicted. */
      classWeight: z.enum(['balanced', 'none']).default('balanced'),
      /** How confidences are calibrated on held-out training rows. */
      calibration: z.enum(['isotonic', 'platt', 'none']).default('isotonic'),
      /** Purged walk-forward folds scored into each artifact (0: none). */
      cvFolds: decimal(z.number().int().min(0).max(20)).default(0),
      trees: decimal(z.number().int().positive().max(10_000)).default(100),
      maxDepth: decimal(z.number().int().positive().max(100)).default(10),
      /** The signals processor's consumer group. */
      group: z.string().min(1).default('signals-processor'),
      snapshotIntervalMs: decimal(z.number().int().nonnegative().max(DAY_MS)).default(5_000),
      reloadIntervalMs: decimal(z.number().int().nonnegative().max(DAY_MS)).default(5_000),
      /** A version whose newest training bar is more than this before a bar (event time) says HOLD, "model expired"; 0: never. */
      expiryMs: decimal(
        z
          .number()
          .int()
          .nonnegative()
          .max(365 * DAY_MS),
      ).default(0),
      /** The trainer service: retrains the served models from the bars in the log on a schedule. */
      trainer: z
        .strictObject({
          /** The bars it trains on: those within this much event time of the newest bar. */
          windowMs: decimal(
            z
              .number()
              .int()
              .min(3_600_000, 'must be at least an hour (3600000)')
              .max(365 * DAY_MS),
          ).default(7 * DAY_MS),
          /** It retrains once the newest bar is this much event time past the last version's data. */
          intervalMs: decimal(
            z
              .number()
              .int()
              .min(60_000, 'must be at least a minute (60000)')
              .max(365 * DAY_MS),
          ).default(6 * 3_600_000),
          /** A new version serves from the newest bar in the log at publication plus this much event time. */
          activationDelayMs: decimal(z.number().int().nonnegative().max(DAY_MS)).default(900_000),
          /** How often (wall clock) it reads new bars and checks whether a retrain is due. */
          checkMs: decimal(z.number().int().min(100).max(DAY_MS)).default(5_000),
        })
        .prefault({}),
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
  'kafka.sessionTimeoutMs': 'KAFKA_SESSION_TIMEOUT_MS',
  'kafka.ssl': 'KAFKA_SSL',
  'kafka.ssl.ca': 'KAFKA_SSL_CA',
  'kafka.sasl.mechanism': 'KAFKA_SASL_MECHANISM',
  'kafka.sasl.username': 'KAFKA_SASL_USERNAME',
  'kafka.sasl.password': 'KAFKA_SASL_PASSWORD',
  'registry.url': 'SCHEMA_REGISTRY_URL',
  'registry.compatibility': 'SCHEMA_COMPATIBILITY',
  'binance.restUrl': 'BINANCE_REST_URL',
  'binance.wsUrl': 'BINANCE_WS_URL',
  'binance.symbols': 'BINANCE_SYMBOLS',
  'binance.interval': 'BINANCE_INTERVAL',
  'binance.mode': 'BINANCE_MODE',
  'binance.pollMs': 'BINANCE_POLL_MS',
  'exchange.feeRate': 'EXCHANGE_FEE_RATE',
  'exchange.slippageBps': 'EXCHANGE_SLIPPAGE_BPS',
  'exchange.initialCash': 'EXCHANGE_INITIAL_CASH',
  'exchange.watermark': 'EXCHANGE_WATERMARK',
  'decision.group': 'DECISION_GROUP',
  'decision.highConfidence': 'DECISION_HIGH_CONFIDENCE',
  'decision.minConfidence': 'DECISION_MIN_CONFIDENCE',
  'decision.agreementWindowMs': 'DECISION_AGREEMENT_WINDOW_MS',
  'decision.buyThresholdPct': 'DECISION_BUY_THRESHOLD_PCT',
  'decision.positionSizePct': 'DECISION_POSITION_SIZE_PCT',
  'decision.maxPositionPct': 'DECISION_MAX_POSITION_PCT',
  'decision.volatilityScaling': 'DECISION_VOLATILITY_SCALING',
  'decision.stopLossPct': 'DECISION_STOP_LOSS_PCT',
  'decision.takeProfitPct': 'DECISION_TAKE_PROFIT_PCT',
  'decision.cooldownMs': 'DECISION_COOLDOWN_MS',
  'decision.maxDrawdownPct': 'DECISION_MAX_DRAWDOWN_PCT',
  'api.key': 'CML_API_KEY',
  'api.host': 'CML_API_HOST',
  'api.port': 'CML_API_PORT',
  'notify.discordWebhookUrl': 'DISCORD_WEBHOOK_URL',
  'notify.group': 'NOTIFY_GROUP',
  'notify.fromBeginning': 'NOTIFY_FROM_BEGINNING',
  'notify.signalMinConfidence': 'NOTIFY_SIGNAL_MIN_CONFIDENCE',
  'notify.signalsPerMinute': 'NOTIFY_SIGNALS_PER_MINUTE',
  'discord.publicKey': 'DISCORD_PUBLIC_KEY',
  'discord.applicationId': 'DISCORD_APPLICATION_ID',
  'discord.botToken': 'DISCORD_BOT_TOKEN',
  'discord.apiUrl': 'DISCORD_API_URL',
  'discord.operatorUserIds': 'DISCORD_OPERATOR_USER_IDS',
  'discord.operatorRoleIds': 'DISCORD_OPERATOR_ROLE_IDS',
  'ml.modelsDir': 'ML_MODELS_DIR',
  'ml.models': 'ML_MODELS',
  'ml.rule.buyRsiBelow': 'ML_RULE_BUY_RSI_BELOW',
  'ml.rule.sellRsiAbove': 'ML_RULE_SELL_RSI_ABOVE',
  'ml.horizonBars': 'ML_HORIZON_BARS',
  'ml.bandPct': 'ML_BAND_PCT',
  'ml.forestEngine': 'ML_FOREST_ENGINE',
  'ml.labels': 'ML_LABELS',
  'ml.classWeight': 'ML_CLASS_WEIGHT',
  'ml.calibration': 'ML_CALIBRATION',
  'ml.cvFolds': 'ML_CV_FOLDS',
  'ml.trees': 'ML_TREES',
  'ml.maxDepth': 'ML_MAX_DEPTH',
  'ml.group': 'SIGNALS_GROUP',
  'ml.expiryMs': 'ML_EXPIRY_MS',
  'ml.trainer.windowMs': 'ML_TRAINER_WINDOW_MS',
  'ml.trainer.intervalMs': 'ML_TRAINER_INTERVAL_MS',
  'ml.trainer.activationDelayMs': 'ML_TRAINER_ACTIVATION_DELAY_MS',
  'ml.trainer.checkMs': 'ML_TRAINER_CHECK_MS',
} as const;

export type ConfigKey = keyof typeof configEnv;
