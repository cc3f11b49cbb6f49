import type { Kafka as KafkaClient, LogEntry, logCreator, logLevel as LogLevel } from 'kafkajs';
import { Kafka, logLevel } from './kafkajs.ts';
import type { Config } from '../../config/index.ts';
import type { Logger } from '../../observability/logger.ts';

const toPinoLevel = (level: LogLevel): 'error' | 'warn' | 'info' | 'debug' => {
  switch (level) {
    case logLevel.ERROR:
    case logLevel.NOTHING:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    case logLevel.DEBUG:
      return 'debug';
  }
};

/** Routes kafkajs's own log lines into our structured logger. */
const pinoLogCreator =
  (logger: Logger): logCreator =>
  () =>
  ({ namespace, level, log }: LogEntry) => {
    const { message, ...extra } = log;
    logger[toPinoLevel(level)]({ kafkajs: namespace, ...extra }, message);
  };

/**
 * The one place a kafkajs client is built. Retries use kafkajs's exponential backoff, which only
 * retries errors the protocol marks retriable (broker not available, leader moved, timeouts).
 */
export function createKafka(config: Config['kafka'], logger: Logger): KafkaClient {
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000, multiplier: 2 },
  });
}
