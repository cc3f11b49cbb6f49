const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** What a topic must look like wherever it runs; the spec's partitions and retention by default. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number;
  /** What the message key holds, as the spec names it. */
  readonly keyField: string;
  readonly description: string;
  /** Kafka only: roll log segments at least this often, so retention can act on small topics (tests). */
  readonly segmentMs?: number;
}

export const MARKET_DATA = 'crypto.market_data';
export const ML_SIGNALS = 'crypto.ml_signals';
export const ORDERS = 'crypto.orders';

export type DataTopic = typeof MARKET_DATA | typeof ML_SIGNALS | typeof ORDERS;

export const DATA_TOPICS: Readonly<Record<DataTopic, TopicSpec>> = {
  [MARKET_DATA]: {
    name: MARKET_DATA,
    partitions: 3,
    retentionMs: DAY_MS,
    keyField: 'symbol',
    description: 'OHLCV bars per symbol',
  },
  [ML_SIGNALS]: {
    name: ML_SIGNALS,
    partitions: 3,
    retentionMs: 7 * DAY_MS,
    keyField: 'symbol',
    description: 'model predictions mapped to BUY/SELL/HOLD',
  },
  [ORDERS]: {
    name: ORDERS,
    partitions: 1,
    retentionMs: 30 * DAY_MS,
    keyField: 'order_id',
    description: 'order events: the ledger',
  },
};

/** Operators' controls (pause and resume entries, force-close): requests and the engine's records of them. */
export const CONTROLS = 'crypto.controls';

/**
 * One partition, so requests and the decision engine's records keep one order; kept forever
 * (a pause outlives any data window, and a replay folds every control since the first).
 */
export const CONTROL_TOPIC: TopicSpec = {
  name: CONTROLS,
  partitions: 1,
  retentionMs: -1,
  keyField: 'control_id',
  description: "operators' controls: pause and resume entries, force-close",
};

/** The dead-letter topic of a data topic: where its undecodable or invalid messages go, with the reason. */
export const deadLetterTopicOf = (topic: string): string => `${topic}.dlq`;

/** Dead letters are kept as long as the longest data topic, so nothing is lost before someone looks. */
const deadLetterSpec = (spec: TopicSpec): TopicSpec => ({
  name: deadLetterTopicOf(spec.name),
  partitions: 1,
  retentionMs: 30 * DAY_MS,
  keyField: spec.keyField,
  description: `dead letters of ${spec.name}`,
});

/** Per-deployment changes to a declared topic (configuration key `topics`). */
export type TopicOverrides = Readonly<
  Record<string, { readonly partitions?: number; readonly retentionMs?: number }>
>;

/**
 * Every topic the system declares: the three data topics (the spec's partitions and retention,
 * unless overridden), a dead-letter topic for each, and the operators' controls (whose reader skips
 * an invalid record: it has no dead letters).
 */
export const declaredTopics = (overrides: TopicOverrides = {}): TopicSpec[] => {
  const data = Object.values(DATA_TOPICS).map((spec) => ({ ...spec, ...overrides[spec.name] }));
  return [...data, ...data.map(deadLetterSpec), CONTROL_TOPIC].map((spec) => ({
    ...spec,
    ...overrides[spec.name],
  }));
};
