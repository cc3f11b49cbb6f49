import { MARKET_DATA, TOPIC_CONTRACTS } from '../../src/contracts/index.ts';
import type { LogPort, LogRecord } from '../../src/log/port.ts';
import { partitionFor } from '../../src/log/partitioner.ts';
import { streamClock } from '../../src/messaging/index.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import type { SignalEngine } from './signal-engine.ts';

const READ_CHUNK = 10_000;

/** What bringing one partition's windows level with its committed offset took. */
export interface PartitionRestore {
  /** `current`: the windows already covered it; `forward`: read on from them; `reread`: rebuilt from the input. */
  readonly kind: 'current' | 'forward' | 'reread';
  readonly from: number;
  readonly to: number;
  /** Bars fed to the engine. */
  readonly bars: number;
}

export interface RestoreContext {
  readonly log: LogPort;
  readonly serde: AvroSerde;
  readonly engine: SignalEngine;
  readonly topic: string;
  readonly partitions: number;
  /** Bars a symbol's windows hold (the largest warm-up of the served feature definitions). */
  readonly barsPerSymbol: number;
  /** Records re-read first, going back from the committed offset (then 4x as many, and so on). */
  readonly span: number;
  /** Most records re-read for one partition. */
  readonly maxRecords: number;
}

/**
 * Brings the windows of `partition`'s symbols level with its committed offset, before any of its
 * records is processed. The windows cover `have` (undefined: none): if that is the committed offset
 * there is nothing to do; a short gap is read forward; otherwise the partition's symbols are
 * forgotten and rebuilt by re-reading the input back from the committed offset until every symbol
 * met has a full window (or the log starts, or `maxRecords`). A symbol silent for the whole span
 * read starts cold. No signal comes of these bars: they were turned into signals before.
 */
export async function restorePartition(
  context: RestoreContext,
  partition: number,
  have: number | undefined,
  committed: number | undefined,
): Promise<PartitionRestore> {
  const target = committed ?? 0;
  if (have === target) return { kind: 'current', from: target, to: target, bars: 0 };
  if (have !== undefined && have < target && target - have <= context.span) {
    const bars = await feed(context, await readRange(context, partition, have, target));
    return { kind: 'forward', from: have, to: target, bars };
  }
  const { engine, topic, partitions } = context;
  engine.forget((symbol) => partitionFor(symbol, partitions) === partition);
  const start = (await context.log.startOffsets(topic)).get(partition) ?? 0;
  let span = context.span;
  let from = Math.max(start, target - span);
  let records = await readRange(context, partition, from, target);
  while (from > start && span < context.maxRecords && !windowsFull(records, context.barsPerSymbol)) {
    span = Math.min(span * 4, context.maxRecords);
    from = Math.max(start, target - span);
    records = await readRange(context, partition, from, target);
  }
  const bars = await feed(context, records);
  return { kind: 'reread', from, to: target, bars };
}

/** Whether every symbol met has a full window's bars (keys are symbols: no decoding needed). */
function windowsFull(records: readonly LogRecord[], barsPerSymbol: number): boolean {
  const perSymbol = new Map<string, number>();
  for (const record of records)
    if (record.key !== null) perSymbol.set(record.key, (perSymbol.get(record.key) ?? 0) + 1);
  return [...perSymbol.values()].every((count) => count >= barsPerSymbol);
}

/** Feeds the valid bars to the engine; those dead-lettered live are refused the same way. */
async function feed(context: RestoreContext, records: readonly LogRecord[]): Promise<number> {
  const clock = streamClock();
  const contract = TOPIC_CONTRACTS[MARKET_DATA];
  let bars = 0;
  for (const record of records) {
    try {
      const bar = await context.serde.decode(MARKET_DATA, record.value);
      if (contract.validate(bar, clock.contextOf(record)).length > 0) continue;
      clock.accepted(record);
      context.engine.onBar(bar);
      bars++;
    } catch {
      // Undecodable records went to the dead letters when they were consumed.
    }
  }
  return bars;
}

async function readRange(
  { log, topic }: RestoreContext,
  partition: number,
  from: number,
  to: number,
): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  let next = from;
  while (next < to) {
    const records = await log.read(topic, partition, next, Math.min(READ_CHUNK, to - next));
    if (records.length === 0) break;
    for (const record of records) if (record.offset < to) out.push(record);
    next = (records.at(-1) as LogRecord).offset + 1;
  }
  return out;
}
