import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { ML_SIGNALS, type MlSignal } from '../../../src/contracts/index.ts';
import { encodeValidated } from '../../../src/messaging/index.ts';
import { DiscordWebhook, SignalNotifier } from '../../../src/notify/index.ts';
import { prepareRuntime, type Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { FakeDiscord } from '../../support/fake-discord.ts';
import { signalAt } from '../../support/messages.ts';
import {
  createTestTopic,
  embeddedHarness,
  eventually,
  silentLogger,
  uniqueName,
} from '../../support/runtimes.ts';

describe('signal notifier (crypto.ml_signals to the webhook), embedded', () => {
  let runtime: Runtime;
  let serde: AvroSerde;
  let discord: FakeDiscord;
  let url: string;
  const notifiers: SignalNotifier[] = [];

  beforeAll(async () => {
    const harness = embeddedHarness();
    runtime = await harness.open();
    await prepareRuntime(runtime, harness.config);
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
    for (const notifier of notifiers.splice(0)) await notifier.stop();
    await discord.close();
  });

  const start = async (topic: string, group: string, now = () => 0): Promise<SignalNotifier> => {
    const notifier = new SignalNotifier({
      log: runtime.log,
      serde,
      logger: silentLogger,
      webhook: new DiscordWebhook({ url, logger: silentLogger, retry: { retries: 0 } }),
      minConfidence: 0.7,
      perMinute: 3,
      group,
      signalsTopic: topic,
      fromBeginning: true,
      now,
    });
    notifiers.push(notifier);
    await notifier.start();
    return notifier;
  };
  const append = async (topic: string, signals: readonly MlSignal[]): Promise<void> => {
    const records = encodeValidated(serde, ML_SIGNALS, signals, (s) => s.timestamp);
    await runtime.log.append([{ topic, records }]);
  };
  const titles = (): string[] =>
    discord.requests.filter((r) => r.status === 200).map((r) => r.message.embeds[0]?.title ?? '');
  const t0 = Date.now() - 3_600_000;
  const signals = (): MlSignal[] =>
    (
      [
        ['BUY', 0.9, 'BTCUSDT'],
        ['HOLD', 0.95, 'BTCUSDT'],
        ['SELL', 0.6, 'ETHUSDT'],
        ['SELL', 0.75, 'ETHUSDT'],
        ['BUY', 0.8, 'SOLUSDT'],
        ['BUY', 0.99, 'BTCUSDT'],
      ] as const
    ).map(([signal, confidence, symbol], i) =>
      signalAt(t0 + i * 60_000, {
        signal,
        confidence,
        symbol,
        expected_change_pct: signal === 'SELL' ? -2 : 2,
        predicted_value: signal === 'SELL' ? 66_640.49 : 69_360.51,
      }),
    );

  it('posts BUY and SELL at or above the confidence, at most perMinute a minute, dropping the rest', async () => {
    const topic = await createTestTopic(runtime, 1);
    await append(topic, signals());
    const notifier = await start(topic, uniqueName('signals'));
    await eventually(
      () => notifier.stats(),
      (s) => s.posted + s.dropped === 4,
      20_000,
    );
    expect(notifier.stats()).toEqual({ posted: 3, dropped: 1, failed: 0 });
    expect(titles()).toEqual([
      'BUY signal on BTCUSDT: random_forest, confidence 90%',
      'SELL signal on ETHUSDT: random_forest, confidence 75%',
      'BUY signal on SOLUSDT: random_forest, confidence 80%',
    ]);
    const embed = discord.requests[0]?.message.embeds[0];
    expect(embed?.color).toBe(0x3498db);
    expect(embed?.timestamp).toBe(new Date(t0).toISOString());
    expect(embed?.fields).toContainEqual({ name: 'Expected change', value: '+2.00%', inline: true });
  });

  it('posts again once the budget refills, and a restart posts nothing twice', async () => {
    const topic = await createTestTopic(runtime, 1);
    const group = uniqueName('signals');
    let now = 0;
    const first = await start(topic, group, () => now);
    await append(topic, signals().slice(0, 4));
    await eventually(
      () => first.stats().posted,
      (posted) => posted === 2,
      20_000,
    );
    await first.stop();
    now = 60_000;
    const second = await start(topic, group, () => now);
    await append(topic, signals().slice(4));
    await eventually(
      () => second.stats().posted,
      (posted) => posted === 2,
      20_000,
    );
    expect(titles()).toEqual([
      'BUY signal on BTCUSDT: random_forest, confidence 90%',
      'SELL signal on ETHUSDT: random_forest, confidence 75%',
      'BUY signal on SOLUSDT: random_forest, confidence 80%',
      'BUY signal on BTCUSDT: random_forest, confidence 99%',
    ]);
  });

  it('counts a post Discord refuses and carries on', async () => {
    const topic = await createTestTopic(runtime, 1);
    discord.answerNext({ status: 400, body: { message: 'Invalid Form Body' } });
    await append(topic, signals().slice(0, 4));
    const notifier = await start(topic, uniqueName('signals'));
    await eventually(
      () => notifier.stats(),
      (s) => s.failed + s.posted === 2,
      20_000,
    );
    expect(notifier.stats()).toEqual({ posted: 1, dropped: 0, failed: 1 });
    expect(titles()).toEqual(['SELL signal on ETHUSDT: random_forest, confidence 75%']);
  });
});
