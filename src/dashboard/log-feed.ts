import { MARKET_DATA, ML_SIGNALS, ORDERS, type DataTopic } from '../contracts/index.ts';
import type { LogPort, LogRecord, Subscription } from '../log/port.ts';
import type { Logger } from '../observability/logger.ts';
import type { AvroSerde } from '../serde/index.ts';
import type { LiveEvent } from './dashboard-deps.ts';
import { Broadcast } from './live-feed.ts';

export interface LogFeedOptions {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  /** The feed's consumer group (default `dashboard-live`); one per process on the embedded log. */
  readonly group?: string;
  /** Topics to read instead of the system's own (test topics). */
  readonly topics?: Partial<Record<DataTopic, string>>;
}

export interface LogFeed {
  readonly feed: Broadcast;
  stop(): Promise<void>;
}

async function eventOf(serde: AvroSerde, topic: DataTopic, record: LogRecord): Promise<LiveEvent> {
  switch (topic) {
    case MARKET_DATA: {
      const bar = await serde.decode(MARKET_DATA, record.value);
      const { symbol, timestamp: time, open, high, low, price: close, volume } = bar;
      return { type: 'bar', candle: { symbol, time, open, high, low, close, volume } };
    }
    case ML_SIGNALS:
      return { type: 'signal', signal: await serde.decode(ML_SIGNALS, record.value) };
    case ORDERS:
      return { type: 'order', order: await serde.decode(ORDERS, record.value) };
    default: {
      const unknown: never = topic;
      throw new Error(`no live event for topic ${String(unknown)}`);
    }
  }
}

/**
 * The live feed of the three data topics, read from their current end (never replayed: the page
 * loads history through the API). Records are decoded but not validated, and an undecodable one
 * is skipped: dead-lettering is the job of the consumers that own the data, not of a viewer.
 */
export async function openLogFeed(options: LogFeedOptions): Promise<LogFeed> {
  const feed = new Broadcast();
  const topicOf = new Map<string, DataTopic>(
    ([MARKET_DATA, ML_SIGNALS, ORDERS] as const).map((topic) => [options.topics?.[topic] ?? topic, topic]),
  );
  const ends = new Map<string, number>();
  for (const topic of topicOf.keys())
    for (const [partition, end] of await options.log.endOffsets(topic))
      ends.set(`${topic}/${partition}`, end);
  const subscription: Subscription = await options.log.subscribe({
    group: options.group ?? 'dashboard-live',
    topics: [...topicOf.keys()],
    fromBeginning: false,
    startAt: (topic, partition) => ends.get(`${topic}/${partition}`) ?? 0,
    handler: async (batch) => {
      const topic = topicOf.get(batch.topic);
      if (topic === undefined) return;
      for (const record of batch.records) {
        try {
          feed.publish(await eventOf(options.serde, topic, record));
        } catch (error) {
          options.logger.debug(
            { topic: record.topic, offset: record.offset, err: (error as Error).message },
            'live feed skipped an undecodable record',
          );
        }
      }
    },
  });
  return { feed, stop: () => subscription.stop() };
}
