import type { DataTopic, TopicValues } from '../contracts/index.ts';
import { TOPIC_CONTRACTS, ValidationError } from '../contracts/index.ts';
import type { AppendedRecord, LogPort } from '../log/port.ts';
import type { AvroSerde } from '../serde/index.ts';

/**
 * Validates, encodes and appends typed messages. An invalid message is refused with a
 * ValidationError naming every broken rule; nothing of the batch is written then.
 */
export class Publisher {
  /** @param now the clock freshness is checked against: the wall clock live, event time for history. */
  constructor(
    private readonly log: LogPort,
    private readonly serde: AvroSerde,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * @param clockOf the clock for each value, when it is not the publisher's: history is validated
   * against its own event-time clock (a watermark), not the wall clock.
   */
  async publish<K extends DataTopic>(
    topic: K,
    values: readonly TopicValues[K][],
    clockOf?: (value: TopicValues[K]) => number,
  ): Promise<AppendedRecord[]> {
    const contract = TOPIC_CONTRACTS[topic];
    const now = this.now();
    const records = values.map((value) => {
      const violations = contract.validate(value as never, { now: clockOf?.(value) ?? now });
      if (violations.length > 0)
        throw new ValidationError(`${topic} message (key ${contract.keyOf(value as never)})`, violations);
      return {
        key: contract.keyOf(value as never),
        value: this.serde.encode(topic, value),
        timestamp: contract.timeOf(value as never),
      };
    });
    return this.log.append([{ topic, records }]);
  }
}
