import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { deadLettersCommand } from '../../src/cli/commands/inspect.ts';
import { statusCommand } from '../../src/cli/commands/status.ts';
import { MARKET_DATA, deadLetterTopicOf } from '../../src/contracts/index.ts';
import { ErrorCodes } from '../../src/errors/index.ts';
import type { LogPort } from '../../src/log/port.ts';
import { DeadLetterCounter, DeadLetterHeaders } from '../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import {
  createTestTopic,
  kafkaHarness,
  silentLogger,
  uniqueName,
  type RuntimeHarness,
} from '../support/runtimes.ts';

/** One dead letter written as consumers write them: in a transaction with the group's offsets. */
const writeLetter = async (log: LogPort, topic: string, n: number, code: string): Promise<void> => {
  const letter = {
    key: `k${n}`,
    value: Buffer.from('bad'),
    timestamp: Date.now(),
    headers: { [DeadLetterHeaders.errorCode]: code, [DeadLetterHeaders.reason]: `letter ${n}` },
  };
  await log.append([{ topic, records: [letter] }], {
    group: uniqueName('letters'),
    topic,
    offsets: new Map([[0, n]]),
  });
};

describe('dead letters are counted as records, not offsets (Kafka transaction markers)', () => {
  let harness: RuntimeHarness;
  let runtime: Runtime;
  let topic: string;

  beforeAll(async () => {
    harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
    runtime = await harness.open();
    topic = await createTestTopic(runtime, 1);
    for (let n = 0; n < 4; n++) await writeLetter(runtime.log, topic, n, ErrorCodes.VALIDATION_FAILED);
    await writeLetter(runtime.log, topic, 4, ErrorCodes.RECORD_UNREADABLE);
  });
  afterAll(async () => {
    await runtime.close();
  });

  it('counts 5 letters where the topic holds 10 offsets, and then only what is new', async () => {
    expect((await runtime.log.endOffsets(topic)).get(0)).toBe(10);
    const counter = new DeadLetterCounter(runtime.log);
    expect(await counter.count(topic)).toEqual({ letters: 5, unreadable: 1 });
    const read = vi.spyOn(runtime.log, 'read');
    expect(await counter.count(topic)).toEqual({ letters: 5, unreadable: 1 });
    expect(read).not.toHaveBeenCalled();
    await writeLetter(runtime.log, topic, 5, ErrorCodes.VALIDATION_FAILED);
    expect(await counter.count(topic)).toEqual({ letters: 6, unreadable: 1 });
    // From where it had read on: the new letter, then its marker.
    expect(read.mock.calls.map((call) => call[2])).toEqual([10, 11]);
    read.mockRestore();
  });

  /** What a CLI command prints. */
  const printed = async (run: () => Promise<unknown>): Promise<string[]> => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      await run();
    } finally {
      log.mockRestore();
    }
    return lines;
  };
  const context = () => ({ config: harness.config, logger: silentLogger });

  it('`dlq` reports the letters in all and shows the most recent ones', async () => {
    const lines = await printed(() =>
      deadLettersCommand(context).parseAsync([topic, '--limit', '3'], { from: 'user' }),
    );
    expect(lines[0]).toBe(`${topic}: 6 dead letters in all, showing 3`);
    expect(lines.slice(1).map((line) => /letter \d+$/.exec(line)?.[0])).toEqual([
      'letter 3',
      'letter 4',
      'letter 5',
    ]);
  });

  it('`status` reports letters, not offsets', async () => {
    await prepareRuntime(runtime, harness.config);
    const dlq = deadLetterTopicOf(MARKET_DATA);
    await writeLetter(runtime.log, dlq, 0, ErrorCodes.VALIDATION_FAILED);
    const { letters, unreadable } = await new DeadLetterCounter(runtime.log).count(dlq);
    const lines = await printed(() => statusCommand(context).parseAsync([], { from: 'user' }));
    const line = lines.find((l) => l.trim().startsWith(`${MARKET_DATA} `));
    expect(line).toMatch(
      new RegExp(` ${letters} dead letters${unreadable > 0 ? ` \\(${unreadable} unreadable\\)` : ''}$`),
    );
  });
});
