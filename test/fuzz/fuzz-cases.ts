import type { DataTopic, TopicValues } from '../../src/contracts/index.ts';
import { TOPIC_CONTRACTS } from '../../src/contracts/index.ts';
import type { AppendRecord } from '../../src/log/port.ts';
import { frame } from '../../src/serde/wire-format.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import type { SeededRandom } from './seeded-random.ts';

/** The kinds of bad input a data topic is fed. */
export const BAD_CASES = [
  'random-bytes',
  'truncated-avro',
  'foreign-schema-id',
  'unknown-schema-id',
  'json-not-avro',
  'empty-value',
  'nan-number',
  'infinite-number',
  'negative-price',
  'huge-900kb',
] as const;
/**
 * Records that would wedge a stream clock: one from the year 3000 (it would make every later
 * record stale) and one from 2001 (far behind the watermark). Time-checked topics only: an order
 * event has no freshness rule.
 */
export const WEDGE_CASES = ['far-future', 'far-past'] as const;
export type BadCase = (typeof BAD_CASES)[number] | (typeof WEDGE_CASES)[number];
export const FAR_FUTURE = Date.UTC(3000, 0, 1);
export const FAR_PAST = Date.UTC(2001, 0, 1);

/** A schema id no registry here has handed out. */
export const UNKNOWN_SCHEMA_ID = 987_654_321;
export const HUGE_BYTES = 900 * 1024;

/** How to make a topic's values: a valid one per index, and the number fields a poisoned one breaks. */
export interface TopicFuzzSpec<K extends DataTopic> {
  readonly topic: K;
  /** A valid message; index i is later in event time than i - 1. */
  valid(index: number): TopicValues[K];
  /** A copy of `value` with `field` set to `number` (NaN, Infinity, a negative price). */
  withNumber(value: TopicValues[K], field: string, number: number): TopicValues[K];
  /** The price-like fields that must be positive and finite. */
  readonly priceFields: readonly string[];
  /** Fields that must be finite (any sign). */
  readonly numberFields: readonly string[];
  /** Another topic whose registered schema id makes a foreign message. */
  readonly foreignTopic: DataTopic;
  foreignValue(index: number): TopicValues[DataTopic];
  /** A valid value with a string field made `length` characters long (random capitals). */
  huge(value: TopicValues[K], filler: string): TopicValues[K];
}

/** One record of a fuzz stream: what it is, and whether consumers must accept it. */
export interface FuzzRecord {
  readonly record: AppendRecord;
  readonly bad: BadCase | undefined;
}

/** The bad record of a case, keyed and timed like the valid message `value` it stands next to. */
export function badRecord<K extends DataTopic>(
  spec: TopicFuzzSpec<K>,
  serde: AvroSerde,
  random: SeededRandom,
  badCase: BadCase,
  index: number,
): AppendRecord {
  const value = spec.valid(index);
  const contract = TOPIC_CONTRACTS[spec.topic];
  const key = contract.keyOf(value as never);
  const timestamp = contract.timeOf(value as never);
  const encoded = serde.encode(spec.topic, value);
  const record = (bytes: Buffer): AppendRecord => ({
    key,
    value: bytes,
    timestamp,
    headers: { 'fuzz.case': badCase },
  });
  switch (badCase) {
    case 'random-bytes': {
      const bytes = random.bytes(random.int(1, 200));
      // Half of them start like the wire format, so the schema lookup and the body decoder see them too.
      if (random.next() < 0.5 && bytes.length > 5) bytes.writeUInt8(0, 0);
      return record(bytes);
    }
    case 'truncated-avro':
      return record(encoded.subarray(0, random.int(0, encoded.length - 1)));
    case 'foreign-schema-id': {
      const foreign = spec.foreignTopic;
      return record(serde.encode(foreign, spec.foreignValue(index)));
    }
    case 'unknown-schema-id':
      return record(frame(UNKNOWN_SCHEMA_ID, encoded.subarray(5)));
    case 'json-not-avro':
      return record(Buffer.from(JSON.stringify(value)));
    case 'empty-value':
      return record(Buffer.alloc(0));
    case 'nan-number':
      return record(
        serde.encode(spec.topic, spec.withNumber(value, random.pick(spec.numberFields), Number.NaN)),
      );
    case 'infinite-number':
      return record(
        serde.encode(
          spec.topic,
          spec.withNumber(value, random.pick(spec.numberFields), random.pick([Infinity, -Infinity])),
        ),
      );
    case 'negative-price':
      return record(
        serde.encode(spec.topic, spec.withNumber(value, random.pick(spec.priceFields), -random.next() * 1e5)),
      );
    case 'far-future':
    case 'far-past': {
      const at = badCase === 'far-future' ? FAR_FUTURE : FAR_PAST;
      const moved = spec.withNumber(value, 'timestamp', at);
      return { ...record(serde.encode(spec.topic, moved)), timestamp: at };
    }
    case 'huge-900kb': {
      // Random capitals: big even after gzip, so a producer batch of two would pass 1 MB.
      let filler = '';
      while (filler.length < HUGE_BYTES)
        filler += random
          .bytes(4096)
          .toString('base64')
          .replace(/[^A-Z]/g, '');
      return record(serde.encode(spec.topic, spec.huge(value, filler.slice(0, HUGE_BYTES))));
    }
  }
}

/**
 * A stream of `valid` valid messages with every bad case in between, each case `perCase` times,
 * shuffled by the seed. The stream ends with a valid message, so a consumer that died on bad
 * input is seen missing it.
 */
export function fuzzStream<K extends DataTopic>(
  spec: TopicFuzzSpec<K>,
  serde: AvroSerde,
  random: SeededRandom,
  options: { readonly valid: number; readonly perCase: number; readonly cases?: readonly BadCase[] },
): FuzzRecord[] {
  const bad: BadCase[] = [];
  for (const badCase of options.cases ?? BAD_CASES)
    for (let n = 0; n < options.perCase; n++) bad.push(badCase);
  // Where each bad one goes: after valid message `slot` (never after the last).
  const slots = bad.map(() => random.int(0, options.valid - 2));
  const out: FuzzRecord[] = [];
  for (let i = 0; i < options.valid; i++) {
    const value = spec.valid(i);
    const contract = TOPIC_CONTRACTS[spec.topic];
    out.push({
      record: {
        key: contract.keyOf(value as never),
        value: serde.encode(spec.topic, value),
        timestamp: contract.timeOf(value as never),
      },
      bad: undefined,
    });
    bad.forEach((badCase, n) => {
      if (slots[n] === i) out.push({ record: badRecord(spec, serde, random, badCase, i), bad: badCase });
    });
  }
  return out;
}
