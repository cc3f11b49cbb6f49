import type { DataTopic, TopicValues } from '../contracts/index.ts';
import { TOPIC_CONTRACTS, ValidationError } from '../contracts/index.ts';
import type { AppendRecord } from '../log/port.ts';
import type { AvroSerde } from '../serde/index.ts';

/**
 * Validates and encodes typed messages into log records (key and event time from the topic's
 * contract). An invalid message throws a ValidationError naming every broken rule, before any
 * record is returned, so a caller appends all of them or none.
 *
 * @param clockOf the clock each value's freshness is checked against: the wall clock live, the
 * stream's own event time for history.
 */
export function encodeValidated<K extends DataTopic>(
  serde: AvroSerde,
  topic: K,
  values: readonly TopicValues[K][],
  clockOf: (value: TopicValues[K]) => number,
): AppendRecord[] {
  const contract = TOPIC_CONTRACTS[topic];
  return values.map((value) => {
    const violations = contract.validate(value as never, { now: clockOf(value) });
    if (violations.length > 0)
      throw new ValidationError(`${topic} message (key ${contract.keyOf(value as never)})`, violations);
    return {
      key: contract.keyOf(value as never),
      value: serde.encode(topic, value),
      timestamp: contract.timeOf(value as never),
    };
  });
}
