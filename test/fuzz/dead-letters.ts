import { deadLetterTopicOf } from '../../src/contracts/index.ts';
import type { LogPort, LogRecord } from '../../src/log/port.ts';
import { DeadLetterHeaders } from '../../src/messaging/index.ts';

/** Where a record sits in its topic: `<partition>:<offset>`. */
export const positionOf = (partition: number, offset: number): string => `${partition}:${offset}`;

/** Every record of a topic's dead-letter topic (one partition). */
export async function readDeadLetters(log: LogPort, topic: string): Promise<LogRecord[]> {
  const dlq = deadLetterTopicOf(topic);
  const out: LogRecord[] = [];
  const end = (await log.endOffsets(dlq)).get(0) ?? 0;
  while (out.length < end) {
    const next = out.length === 0 ? 0 : (out[out.length - 1] as LogRecord).offset + 1;
    const page = await log.read(dlq, 0, next, 200);
    if (page.length === 0) break;
    out.push(...page);
  }
  return out;
}

export interface DeadLetterTally {
  /** Per consumer group, the original positions it dead-lettered (a repeat would show as a count). */
  readonly byGroup: Map<string, string[]>;
  /** Dead letters without a reason, an error code or an origin group. */
  readonly unexplained: LogRecord[];
}

export function tallyDeadLetters(letters: readonly LogRecord[]): DeadLetterTally {
  const byGroup = new Map<string, string[]>();
  const unexplained: LogRecord[] = [];
  for (const letter of letters) {
    const h = letter.headers;
    const group = h[DeadLetterHeaders.consumer];
    if (!h[DeadLetterHeaders.reason] || !h[DeadLetterHeaders.errorCode] || !group) {
      unexplained.push(letter);
      continue;
    }
    const positions = byGroup.get(group) ?? [];
    positions.push(positionOf(Number(h[DeadLetterHeaders.partition]), Number(h[DeadLetterHeaders.offset])));
    byGroup.set(group, positions);
  }
  return { byGroup, unexplained };
}
