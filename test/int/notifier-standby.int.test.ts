import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../src/config/index.ts';
import { ORDERS, type OrderEvent } from '../../src/contracts/index.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { DiscordWebhook, NotifierRunner, notificationKey } from '../../src/notify/index.ts';
import { openKafkaRuntime, prepareRuntime, type KafkaRuntime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { becomeActive } from '../../src/standby/index.ts';
import { FakeDiscord } from '../support/fake-discord.ts';
import { pendingOrder } from '../support/messages.ts';
import { createTestTopic, eventually, kafkaHarness, silentLogger, uniqueName } from '../support/runtimes.ts';

/** Orders of the last hour, each PENDING then CANCELLED: one post each. */
const cancelled = (from: number, count: number): OrderEvent[] =>
  Array.from({ length: count }, (_, i) => {
    const t = Date.now() - 3_600_000 + (from + i) * 60_000;
    const order = pendingOrder({
      order_id: `ORD-20240101-${String(from + i + 1).padStart(3, '0')}`,
      timestamp: t,
    });
    return [
      order,
      { ...order, status: 'CANCELLED', sequence: 1, event_time: t + 1_000, cancel_reason: 'EXPIRED' },
    ] as OrderEvent[];
  }).flat();

describe('the Discord notifier with a standby on Kafka', () => {
  const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
  let first: KafkaRuntime;
  let second: KafkaRuntime;
  let serde: AvroSerde;
  const discord = new FakeDiscord();
  let url: string;

  beforeAll(async () => {
    first = await openKafkaRuntime(harness.config, silentLogger);
    second = await openKafkaRuntime(harness.config, silentLogger);
    await prepareRuntime(first, harness.config);
    serde = await AvroSerde.create(first.registry);
    url = await discord.listen();
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await discord.close();
  });

  it('the standby takes the lease when the active one goes, fences it, and posts the rest; at most one post twice', async () => {
    const topic = await createTestTopic(first, 1);
    const group = uniqueName('notifier');
    const config: Config = { ...harness.config, notify: { ...harness.config.notify, group } };
    const runnerOn = (runtime: KafkaRuntime): NotifierRunner =>
      new NotifierRunner({
        log: runtime.log,
        serde,
        logger: silentLogger,
        webhook: new DiscordWebhook({
          url,
          logger: silentLogger,
          retry: { minTimeout: 20, randomize: false },
        }),
        group,
        ordersTopic: topic,
        fromBeginning: true,
        idleCommitMs: 50,
      });
    const append = (events: readonly OrderEvent[]) =>
      first.log.append([
        { topic, records: encodeValidated(serde, ORDERS, events, (e) => e.event_time ?? e.timestamp) },
      ]);
    const standbyOf = (runtime: KafkaRuntime, stepDown: (reason: string) => void, onWaiting?: () => void) =>
      becomeActive({
        config,
        runtime,
        services: ['notifier'],
        leaseTopic: topic,
        logger: silentLogger,
        stepDown,
        ...(onWaiting === undefined ? {} : { onWaiting }),
      });

    // The first instance: alone, it holds the lease and posts.
    const steppedDown: string[] = [];
    const active = runnerOn(first);
    const [lease] = await standbyOf(first, (reason) => {
      // As the CLI's step-down ends the process: this instance posts nothing more.
      steppedDown.push(reason);
      void active.stop();
    });
    await active.start();
    // The second waits.
    let waiting = false;
    const takingOver = standbyOf(
      second,
      (reason) => expect.fail(`the new instance stepped down: ${reason}`),
      () => (waiting = true),
    );
    await eventually(
      () => waiting,
      (w) => w,
    );
    const early = cancelled(0, 5);
    await append(early);
    await eventually(
      () => discord.posted.length,
      (n) => n >= 5,
    );

    // The active one's machine goes (its lease group membership with it); its runner still runs,
    // reads the next events and posts the first: its commit is refused, and it steps down.
    await lease?.stop();
    await takingOver;
    const late = cancelled(5, 5);
    await append(late);
    await eventually(
      () => steppedDown.length,
      (n) => n > 0,
    );
    const standby = runnerOn(second);
    await standby.start();
    const all = [...early, ...late].filter((e) => e.status !== 'PENDING').map(notificationKey);
    await eventually(
      () => [...new Set(discord.posted)],
      (posted) => posted.length === all.length,
    );
    await eventually(
      () => standby.caughtUp(),
      (done) => done,
    );
    await standby.stop();

    expect([...new Set(discord.posted)]).toEqual(all);
    // The old runner may have posted the first late event before its commit was refused: that one twice.
    expect(discord.posted.length - all.length).toBeLessThanOrEqual(1);
    expect(steppedDown).toEqual([
      `fenced: another instance took transactional id ${harness.config.kafka.clientId}.commit.${group}.posted`,
    ]);
  });
});
