import { readFileSync } from 'node:fs';
import type { MarketData, MlSignal, OrderEvent, TopicValues } from './generated/avro-types.ts';
import { DATA_TOPICS, MARKET_DATA, ML_SIGNALS, ORDERS, type DataTopic } from './topics.ts';
import {
  validateMarketData,
  validateOrder,
  validateSignal,
  type ValidationContext,
  type Violation,
} from './validation/index.ts';

/** An Avro schema as JSON. */
export type AvroSchemaJson = Record<string, unknown>;

/** Everything the system knows about one data topic's messages. */
export interface TopicContract<T> {
  readonly topic: DataTopic;
  /** Registry subject, topic name strategy. */
  readonly subject: string;
  readonly schema: AvroSchemaJson;
  /** The message key, as a plain UTF-8 string. */
  readonly keyOf: (value: T) => string;
  /** The event time the log record carries. */
  readonly timeOf: (value: T) => number;
  readonly validate: (value: T, context: ValidationContext) => Violation[];
}

export type TopicContracts = { readonly [K in DataTopic]: TopicContract<TopicValues[K]> };

const AVRO_DIR = new URL('../../avro/', import.meta.url);

export const subjectOf = (topic: string): string => `${topic}-value`;

export const readSchemaFile = (topic: string): AvroSchemaJson =>
  JSON.parse(readFileSync(new URL(`${topic}.avsc`, AVRO_DIR), 'utf8')) as AvroSchemaJson;

const marketData: TopicContract<MarketData> = {
  topic: MARKET_DATA,
  subject: subjectOf(MARKET_DATA),
  schema: readSchemaFile(MARKET_DATA),
  keyOf: (bar) => bar.symbol,
  timeOf: (bar) => bar.timestamp,
  validate: validateMarketData,
};

const mlSignals: TopicContract<MlSignal> = {
  topic: ML_SIGNALS,
  subject: subjectOf(ML_SIGNALS),
  schema: readSchemaFile(ML_SIGNALS),
  keyOf: (signal) => signal.symbol,
  timeOf: (signal) => signal.timestamp,
  validate: validateSignal,
};

const orders: TopicContract<OrderEvent> = {
  topic: ORDERS,
  subject: subjectOf(ORDERS),
  schema: readSchemaFile(ORDERS),
  keyOf: (order) => order.order_id,
  timeOf: (order) => order.event_time ?? order.timestamp,
  validate: (order) => validateOrder(order),
};

export const TOPIC_CONTRACTS: TopicContracts = {
  [MARKET_DATA]: marketData,
  [ML_SIGNALS]: mlSignals,
  [ORDERS]: orders,
};

export const isDataTopic = (topic: string): topic is DataTopic => Object.hasOwn(DATA_TOPICS, topic);
