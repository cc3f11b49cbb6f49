import { ErrorCodes } from '../errors/index.ts';
import type { LogPort, LogRecord } from '../log/port.ts';
import { DeadLetterHeaders } from './dead-letter.ts';

/** The dead letters of one dead-letter topic. */
export interface DeadLetterTally {
  readonly letters: number;
  /** Of which records the log could not read at all (`CML_RECORD_UNREADABLE`). */
  readonly unreadable: number;
}

interface PartitionTally {
  next: number;
  letters: number;
  unreadable: number;
}

/**
 * Counts dead letters by reading them. An offset count is not a letter count on Kafka: each dead
 * letter is written in its consumer's transaction, whose commit marker takes an offset too (one
 * letter, two offsets). The counter remembers how far it has read each partition and reads only
 * what was appended since, so it can back a gauge refreshed every few seconds. Letters deleted by
 * retention after they were counted stay counted until the counter is made anew.
 */
export class DeadLetterCounter {
  private readonly tallies = new Map<string, Map<number, PartitionTally>>();

  constructor(
    private readonly log: LogPort,
    private readonly chunk = 10_000,
  ) {}

  /** The tally of `topic` now; `onLetter` sees each letter read by this call, in offset order. */
  async count(topic: string, onLetter?: (letter: LogRecord) => void): Promise<DeadLetterTally> {
    const byPartition = this.tallies.get(topic) ?? new Map<number, PartitionTally>();
    this.tallies.set(topic, byPartition);
    for (const [partition, end] of await this.log.endOffsets(topic)) {
      const tally = byPartition.get(partition) ?? { next: 0, letters: 0, unreadable: 0 };
      byPartition.set(partition, tally);
      while (tally.next < end) {
        const letters = await this.log.read(topic, partition, tally.next, this.chunk);
        // Nothing at or after `next`: what is left up to the end is markers or aborted records.
        if (letters.length === 0) tally.next = end;
        for (const letter of letters) {
          tally.letters++;
          if (letter.headers[DeadLetterHeaders.errorCode] === ErrorCodes.RECORD_UNREADABLE)
            tally.unreadable++;
          tally.next = letter.offset + 1;
          onLetter?.(letter);
        }
      }
    }
    let letters = 0;
    let unreadable = 0;
    for (const tally of byPartition.values()) {
      letters += tally.letters;
      unreadable += tally.unreadable;
    }
    return { letters, unreadable };
  }
}
