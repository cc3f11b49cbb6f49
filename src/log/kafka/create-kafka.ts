import { readFileSync } from 'node:fs';
import type { Kafka as KafkaClient, LogEntry, logCreator, logLevel as LogLevel } from 'kafkajs';
import { registerCompressionCodecs } from './compression-codecs.ts';
import { kafkaClientOptions } from './kafka-client-options.ts';
import { quietKafkajsNegativeTimeouts } from './kafkajs-timeout-warning.ts';
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
 * TLS files are read now: a missing one fails here, naming its key and path. Every compression
 * codec is registered, so records from any producer are read.
 */
export function createKafka(config: Config['kafka'], logger: Logger): KafkaClient {
  registerCompressionCodecs();
  quietKafkajsNegativeTimeouts();
  if (config.sasl?.mechanism === 'plain' && config.ssl === false)
    logger.warn('kafka.sasl is plain without kafka.ssl: the password crosses the network in clear text');
  return new Kafka({
    ...kafkaClientOptions(config, (path) => readFileSync(path)),
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
  });
}
