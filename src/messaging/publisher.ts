import type { DataTopic, TopicValues } from '../contracts/index.ts';
import type { AppendedRecord, LogPort } from '../log/port.ts';
import type { AvroSerde } from '../serde/index.ts';
import { encodeValidated } from './encode-validated.ts';

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
    const now = this.now();
    const records = encodeValidated(this.serde, topic, values, clockOf ?? (() => now));
    return this.log.append([{ topic, records }]);
  }
}
