import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config/index.ts';
import { MARKET_DATA, ML_SIGNALS, type MarketData, type MlSignal } from '../../../src/contracts/index.ts';
import { modelSpecsOf, modelsDirOf, trainModels, trainSettingsOf } from '../../../src/ml/index.ts';
import { startServices } from '../../../src/pipeline/services.ts';
import { openEmbeddedRuntime, prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { eventually, silentLogger } from '../../support/runtimes.ts';
import { fixtureBars } from '../ml/fixture-bars.ts';

describe('the signals service and its ml.* settings', () => {
  it('looks at the models directory as often as ml.reloadIntervalMs says (it was always 5 s), and expires versions by ml.expiryMs (regression)', async () => {
    const base = loadConfig({
      env: {
        CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-signals-settings-')),
        ML_MODELS: 'logistic_regression:trend',
        ML_EXPIRY_MS: String(30 * 86_400_000),
      },
    });
    const config: Config = {
      ...base,
      ml: { ...base.ml, reloadIntervalMs: 0 },
      topics: { [MARKET_DATA]: { retentionMs: -1 }, [ML_SIGNALS]: { retentionMs: -1 } },
    };
    const bars = fixtureBars();
    const train = () =>
      trainModels({
        bars: bars.slice(0, 3_000),
        modelsDir: modelsDirOf(config),
        specs: modelSpecsOf(config),
        settings: { ...trainSettingsOf(config), logistic: { l2: 1e-3, iterations: 30, learningRate: 0.5 } },
      });
    train();
    const runtime = openEmbeddedRuntime(config);
    await prepareRuntime(runtime, config);
    const serde = await AvroSerde.create(runtime.registry);
    const append = (list: readonly MarketData[]) =>
      runtime.log.append([
        {
          topic: MARKET_DATA,
          records: list.map((bar) => ({
            key: bar.symbol,
            value: serde.encode(MARKET_DATA, bar),
            timestamp: bar.timestamp,
          })),
        },
      ]);
    const signals = async (): Promise<MlSignal[]> => {
      const all: MlSignal[] = [];
      for (const [partition, end] of await runtime.log.endOffsets(ML_SIGNALS))
        for (const record of await runtime.log.read(ML_SIGNALS, partition, 0, end))
          all.push(await serde.decode(ML_SIGNALS, record.value));
      return all;
    };
    const services = await startServices({
      config,
      runtime,
      serde,
      logger: silentLogger,
      services: ['signals'],
      clock: 'stream',
    });
    try {
      await append(bars.slice(3_000, 3_300));
      await eventually(signals, (s) => s.length === 12);
      train();
      await append(bars.slice(3_300, 3_310));
      const all = await eventually(signals, (s) => s.length === 22);
      expect(all.slice(12).map((s) => s.metadata.model_version)).toEqual(
        Array(10).fill('logistic_regression-trend-h48.v2'),
      );
      // 30 days: these bars are within it; bars 40 days after the training data are not.
      expect(all.every((s) => s.hold_reason === null)).toBe(true);
      const late = bars
        .slice(3_310, 3_311)
        .map((bar) => ({ ...bar, timestamp: bar.timestamp + 40 * 86_400_000 }));
      await append(late);
      const expired = (await eventually(signals, (s) => s.length === 23)).at(-1) as MlSignal;
      expect(expired.signal).toBe('HOLD');
      expect(expired.hold_reason).toMatch(/^model expired: logistic_regression-trend-h48\.v2/);
    } finally {
      await services.stop();
      await runtime.close();
    }
  });
});
