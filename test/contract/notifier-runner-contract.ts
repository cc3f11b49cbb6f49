import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { ORDERS, type OrderEvent } from '../../src/contracts/index.ts';
import { ErrorCodes, isCmlError } from '../../src/errors/index.ts';
import type { LogPort } from '../../src/log/port.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { DiscordWebhook, NotifierRunner, notificationKey } from '../../src/notify/index.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { FakeDiscord } from '../support/fake-discord.ts';
import { pendingOrder } from '../support/messages.ts';
import {
  createTestTopic,
  eventually,
  silentLogger,
  uniqueName,
  type RuntimeHarness,
} from '../support/runtimes.ts';

/**
 * The Discord notifier on a runtime, against a fake webhook: every FILLED, CLOSED and CANCELLED
 * event posted once, in log order, through rate limits, server errors and restarts; and the one
 * documented exception (a crash between a post and its commit re-posts that one event).
 */
export function describeNotifierRunner(harness: () => RuntimeHarness): void {
  let runtime: Runtime;
  let serde: AvroSerde;
  let discord: FakeDiscord;
  let url: string;
  const runners: NotifierRunner[] = [];

  beforeAll(async () => {
    const h = harness();
    runtime = await h.open();
    await prepareRuntime(runtime, h.config);
    serde = await AvroSerde.create(runtime.registry);
  });
  afterAll(async () => {
    await runtime.close();
  });
  beforeEach(async () => {
    discord = new FakeDiscord();
    url = await discord.listen();
  });
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    await discord.close();
  });

  interface Run {
    readonly topic: string;
    readonly group: string;
  }
  const newRun = async (): Promise<Run> => ({
    topic: await createTestTopic(runtime, 1),
    group: uniqueName('notifier'),
  });

  const runner = (run: Run, log: LogPort = runtime.log): NotifierRunner => {
    const webhook = new DiscordWebhook({
      url,
      logger: silentLogger,
      retry: { minTimeout: 20, randomize: false },
    });
    const created = new NotifierRunner({
      log,
      serde,
      logger: silentLogger,
      webhook,
      group: run.group,
      ordersTopic: run.topic,
      fromBeginning: true,
      idleCommitMs: 50,
    });
    runners.push(created);
    return created;
  };

  /** Orders of the last hour (inside the test topics' retention): each PENDING, then filled and closed, or cancelled. */
  const history = (count: number): OrderEvent[] => {
    const start = Date.now() - 3_600_000;
    return Array.from({ length: count }, (_, i) => {
      const t = start + i * 60_000;
      const order = pendingOrder({
        order_id: `ORD-20240101-${String(i + 1).padStart(3, '0')}`,
        timestamp: t,
      });
      if (i % 3 === 2) {
        return [
          order,
          { ...order, status: 'CANCELLED', sequence: 1, event_time: t + 1_000, cancel_reason: 'EXPIRED' },
        ] as OrderEvent[];
      }
      const filled: OrderEvent = {
        ...order,
        status: 'FILLED',
        sequence: 1,
        event_time: t + 1_000,
        fill_price: 68_000,
        fill_fee: 6.8,
      };
      const closed: OrderEvent = {
        ...filled,
        status: 'CLOSED',
        sequence: 2,
        event_time: t + 30_000,
        exit_price: i % 2 === 0 ? 71_400 : 66_640,
        exit_fee: 7,
        close_reason: i % 2 === 0 ? 'TAKE_PROFIT' : 'STOP_LOSS',
        realized_pnl: i % 2 === 0 ? 326 : -149.8,
      };
      return [order, filled, closed];
    }).flat();
  };
  const postable = (events: readonly OrderEvent[]): string[] =>
    events.filter((e) => e.status !== 'PENDING').map(notificationKey);

  const append = async (run: Run, events: readonly OrderEvent[]): Promise<void> => {
    const records = encodeValidated(serde, ORDERS, events, (e) => e.event_time ?? e.timestamp);
    await runtime.log.append([{ topic: run.topic, records }]);
  };

  const untilPosted = (count: number): Promise<string[]> =>
    eventually(
      () => [...discord.posted],
      (posted) => posted.length >= count,
      60_000,
    );

  it('posts every FILLED, CLOSED and CANCELLED event once, in log order, asking Discord to wait', async () => {
    const run = await newRun();
    const events = history(9);
    await append(run, events.slice(0, 10));
    const notifier = runner(run);
    await notifier.start();
    await append(run, events.slice(10));
    const expected = postable(events);
    expect(await untilPosted(expected.length)).toEqual(expected);
    await eventually(
      () => notifier.caughtUp(),
      (done) => done,
    );
    expect(discord.requests.every((r) => r.wait)).toBe(true);
    expect(discord.posted).toEqual(expected);
  });

  it('honours 429s (retry_after in the body, Retry-After header) and an empty bucket before posting again', async () => {
    const run = await newRun();
    const events = history(3);
    discord.answerNext(
      { status: 429, body: { message: 'You are being rate limited.', retry_after: 0.35, global: false } },
      { status: 429, headers: { 'retry-after': '1' }, body: { message: 'You are being rate limited.' } },
    );
    await append(run, events);
    const notifier = runner(run);
    await notifier.start();
    const expected = postable(events);
    // Once posting, the bucket runs dry: the next request must wait for its reset.
    discord.onPosted = (_key, count) => {
      if (count === 1)
        discord.answerNext({
          status: 200,
          headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '0.4' },
          body: { id: 'x' },
        });
    };
    await untilPosted(expected.length - 1);
    const [first, second, third] = discord.requests;
    expect([first?.status, second?.status, third?.status]).toEqual([429, 429, 200]);
    expect(second!.receivedAt - first!.answeredAt).toBeGreaterThanOrEqual(350);
    expect(third!.receivedAt - second!.answeredAt).toBeGreaterThanOrEqual(1_000);
    // The request after the one answered with an empty bucket waited for the reset.
    const drained = discord.requests.findIndex((r) => r.scripted && r.status === 200);
    const afterDrain = discord.requests[drained + 1];
    expect(drained).toBeGreaterThan(2);
    expect(afterDrain!.receivedAt - discord.requests[drained]!.answeredAt).toBeGreaterThanOrEqual(400);
    // The scripted 200 is Discord having posted too; the fake counts only its own posts.
    const shown = discord.requests.filter((r) => r.status === 200).map((r) => r.key);
    expect(shown).toEqual(expected);
  });

  it('retries a 500 with backoff and posts the event once', async () => {
    const run = await newRun();
    const events = history(2);
    discord.answerNext({ status: 500, body: { message: 'Internal Server Error' } }, { status: 502 });
    await append(run, events);
    const notifier = runner(run);
    await notifier.start();
    const expected = postable(events);
    expect(await untilPosted(expected.length)).toEqual(expected);
    expect(discord.requests.slice(0, 3).map((r) => [r.key, r.status])).toEqual([
      [expected[0], 500],
      [expected[0], 502],
      [expected[0], 200],
    ]);
  });

  it('resumes after a stop mid-stream with every event posted exactly once overall', async () => {
    const run = await newRun();
    const events = history(12);
    await append(run, events);
    const expected = postable(events);
    const first = runner(run);
    let stopping: Promise<void> | undefined;
    discord.onPosted = (_key, count) => {
      if (count === 7) stopping = first.stop();
    };
    await first.start();
    await eventually(
      () => stopping !== undefined,
      (stopped) => stopped,
    );
    await stopping;
    discord.onPosted = undefined;
    const postedBefore = discord.posted.length;
    // A stop lets the post in flight finish and commits it; nothing more is posted.
    expect(postedBefore).toBe(7);
    const second = runner(run);
    await second.start();
    expect(await untilPosted(expected.length)).toEqual(expected);
    await eventually(
      () => second.caughtUp(),
      (done) => done,
    );
    expect(discord.posted).toEqual(expected);
  });

  it('a crash between a post and its commit re-posts that one event, and only it', async () => {
    const run = await newRun();
    const events = history(4);
    await append(run, events);
    const expected = postable(events);
    let failCommits = false;
    const flaky: LogPort = Object.create(runtime.log, {
      append: {
        value: (appends: Parameters<LogPort['append']>[0], commit?: Parameters<LogPort['append']>[1]) =>
          failCommits && commit !== undefined
            ? Promise.reject(new Error('broker gone'))
            : runtime.log.append(appends, commit),
      },
    }) as LogPort;
    const first = runner(run, flaky);
    discord.onPosted = (_key, count) => {
      if (count === 3) failCommits = true;
    };
    await first.start();
    await untilPosted(3);
    // The process "dies": its third post is never committed.
    await first.stop();
    expect(discord.posted).toEqual(expected.slice(0, 3));
    discord.onPosted = undefined;
    const second = runner(run);
    await second.start();
    const posted = await untilPosted(expected.length + 1);
    expect(posted).toEqual([...expected.slice(0, 3), expected[2], ...expected.slice(3)]);
  });

  it('skips a message Discord refuses as malformed, and stops when the webhook is gone', async () => {
    const run = await newRun();
    const events = history(3);
    await append(run, events);
    const expected = postable(events);
    discord.answerNext({ status: 400, body: { code: 50035, message: 'Invalid Form Body' } });
    const notifier = runner(run);
    discord.onPosted = (_key, count) => {
      if (count === 2) discord.answerNext({ status: 404, body: { code: 10015, message: 'Unknown Webhook' } });
    };
    await notifier.start();
    const failure = await notifier.done.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isCmlError(failure) && failure.code).toBe(ErrorCodes.NOTIFY_WEBHOOK_REJECTED);
    expect(notifier.skipped).toBe(1);
    expect(discord.posted).toEqual(expected.slice(1, 3));
    // Nothing past the refused post is committed: a fixed webhook resumes at that event.
    const committed = await runtime.log.committedOffsets(`${run.group}.posted`, run.topic);
    const fourth = events.findIndex((e) => notificationKey(e) === expected[3]);
    expect(committed.get(0)).toBe(fourth);
  });

  it('with no progress yet and fromBeginning off, starts at the end of the log', async () => {
    const run = await newRun();
    const events = history(4);
    await append(run, events.slice(0, 6));
    const notifier = new NotifierRunner({
      log: runtime.log,
      serde,
      logger: silentLogger,
      webhook: new DiscordWebhook({ url, logger: silentLogger }),
      group: run.group,
      ordersTopic: run.topic,
      idleCommitMs: 50,
    });
    runners.push(notifier);
    await notifier.start();
    await append(run, events.slice(6));
    const expected = postable(events.slice(6));
    expect(await untilPosted(expected.length)).toEqual(expected);
  });
}
