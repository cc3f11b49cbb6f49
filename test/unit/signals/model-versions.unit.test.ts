import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignalTape } from '../../../src/backtest/lockstep-engine.ts';
import { MARKET_DATA, ML_SIGNALS, type MarketData, type MlSignal } from '../../../src/contracts/index.ts';
import { streamClock } from '../../../src/messaging/index.ts';
import {
  fitModels,
  saveArtifact,
  type ArtifactProvenance,
  type ModelArtifact,
} from '../../../src/ml/index.ts';
import type { Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { ModelSource, createSignalEngine, startSignalsProcessor } from '../../../streams/signals/index.ts';
import {
  createTestTopic,
  embeddedHarness,
  eventually,
  silentLogger,
  uniqueName,
} from '../../support/runtimes.ts';
import { fixtureBars } from '../ml/fixture-bars.ts';
import { SMALL_SETTINGS } from './trained-models.ts';

const SPECS = [{ model: 'logistic_regression', target: 'trend' }] as const;
const HOUR = 3_600_000;

const provenance = (activeFrom: number, dataTo: number): ArtifactProvenance => ({
  activeFrom,
  dataFrom: 0,
  dataTo,
  bars: 0,
  topic: MARKET_DATA,
  offsets: {},
  code: { packageVersion: 'test' },
  scores: { r2: 0, mae: 0, accuracy: 0, baselineAccuracy: 0 },
  trainer: { windowMs: 0, intervalMs: 0 },
});

/** Two versions of one slot: v1 live from the start, v2 from the time of `bars[switchAt]`. */
function twoVersions(bars: readonly MarketData[], switchAt: number) {
  const modelsDir = mkdtempSync(join(tmpdir(), 'cml-versions-'));
  const fit = (from: number, to: number) =>
    fitModels({ bars: fixtureBars().slice(from, to), specs: SPECS, settings: SMALL_SETTINGS })[0] as Omit<
      ModelArtifact,
      'version'
    >;
  const first = fit(0, 3_000);
  const v1 = saveArtifact(modelsDir, { ...first, provenance: provenance(0, first.training.dataTo) }).artifact;
  const activeFrom = (bars[switchAt] as MarketData).timestamp;
  const second = fit(1_000, 4_000);
  const v2 = saveArtifact(modelsDir, {
    ...second,
    provenance: provenance(activeFrom, second.training.dataTo),
  }).artifact;
  return { modelsDir, v1, v2, activeFrom };
}

const versionsBy = (signals: readonly MlSignal[], activeFrom: number) => ({
  before: new Set(signals.filter((s) => s.timestamp < activeFrom).map((s) => s.metadata.model_version)),
  after: new Set(signals.filter((s) => s.timestamp >= activeFrom).map((s) => s.metadata.model_version)),
});

describe('model versions live by event time', () => {
  const bars = fixtureBars().slice(4_000, 4_700);
  const { modelsDir, v1, v2, activeFrom } = twoVersions(bars, 500);
  let runtime: Runtime;
  let serde: AvroSerde;

  beforeAll(async () => {
    runtime = await embeddedHarness().open();
    serde = await AvroSerde.create(runtime.registry);
  });
  afterAll(async () => {
    await runtime.close();
  });

  it('the model source holds only the versions that can serve the bars between two times', () => {
    const source = new ModelSource(modelsDir);
    const versions = (since?: number, until?: number) => source.load(since, until).map((a) => a.version);
    expect(versions()).toEqual([v2.version]);
    expect(versions(-Infinity)).toEqual([v1.version, v2.version]);
    expect(versions(activeFrom - 1, activeFrom - 1)).toEqual([v1.version]);
    expect(versions(activeFrom - 1, activeFrom)).toEqual([v1.version, v2.version]);
    expect(versions(activeFrom, activeFrom + 1)).toEqual([v2.version]);
    expect(source.changed(activeFrom, activeFrom + 1)).toBe(false);
    expect(source.changed(activeFrom - 1, activeFrom)).toBe(true);
  });

  it('a backtest serves each bar with the newest version whose activeFrom is at or before it', () => {
    const tape = buildSignalTape({ bars, artifacts: [v1, v2] });
    const signals = tape.steps.flatMap((step) => step.signals);
    expect(versionsBy(signals, activeFrom)).toEqual({
      before: new Set(['logistic_regression-trend-h48.v1']),
      after: new Set(['logistic_regression-trend-h48.v2']),
    });
    // One signal per warm bar: never both versions on one bar.
    expect(signals.length).toBe(bars.length - 288);
    // The same as the walk-forward swaps of the research engine.
    const swapped = buildSignalTape({
      bars,
      artifacts: [v1],
      modelSwaps: [{ from: activeFrom, artifacts: [v2] }],
    });
    expect(swapped.steps.flatMap((step) => step.signals)).toEqual(signals);
  });

  it(
    'a replay through the signals processor serves the same versions bar by bar as the backtest',
    { timeout: 120_000 },
    async () => {
      const input = await createTestTopic(runtime, 3, -1);
      const output = await createTestTopic(runtime, 3, -1);
      await runtime.log.append([
        {
          topic: input,
          records: bars.map((bar) => ({
            key: bar.symbol,
            value: serde.encode(MARKET_DATA, bar),
            timestamp: bar.timestamp,
          })),
        },
      ]);
      const processor = await startSignalsProcessor({
        log: runtime.log,
        serde,
        logger: silentLogger,
        clock: streamClock(),
        modelsDir,
        group: uniqueName('versions'),
        readFrom: input,
        writeTo: output,
      });
      const read = async (): Promise<MlSignal[]> => {
        const signals: MlSignal[] = [];
        for (const [partition, end] of await runtime.log.endOffsets(output))
          for (const record of await runtime.log.read(output, partition, 0, end))
            signals.push(await serde.decode(ML_SIGNALS, record.value));
        return signals.sort((a, b) => a.timestamp - b.timestamp);
      };
      const written = await eventually(read, (s) => s.length >= bars.length - 288, 60_000);
      await processor.stop();
      const tape = buildSignalTape({ bars, artifacts: [v1, v2] }).steps.flatMap((step) => step.signals);
      expect(written.map((s) => [s.timestamp, s.metadata.model_version, s.signal])).toEqual(
        tape.map((s) => [s.timestamp, s.metadata.model_version, s.signal]),
      );
      expect(versionsBy(written, activeFrom).after).toEqual(new Set([v2.version]));
    },
  );

  it('the processor counts and reports a version that arrives after the stream passed its activeFrom', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cml-late-'));
    saveArtifact(dir, { ...v1, provenance: provenance(0, v1.training.dataTo) });
    const input = await createTestTopic(runtime, 3, -1);
    const output = await createTestTopic(runtime, 3, -1);
    const append = (list: readonly MarketData[]) =>
      runtime.log.append([
        {
          topic: input,
          records: list.map((bar) => ({
            key: bar.symbol,
            value: serde.encode(MARKET_DATA, bar),
            timestamp: bar.timestamp,
          })),
        },
      ]);
    await append(bars.slice(0, 400));
    const processor = await startSignalsProcessor({
      log: runtime.log,
      serde,
      logger: silentLogger,
      clock: streamClock(),
      modelsDir: dir,
      group: uniqueName('late'),
      reloadIntervalMs: 0,
      readFrom: input,
      writeTo: output,
    });
    await eventually(
      () => processor.stats().bars,
      (n) => n === 400,
    );
    // Active from bar 300, but published once bar 399 was served.
    saveArtifact(dir, {
      ...v2,
      provenance: provenance((bars[300] as MarketData).timestamp, v2.training.dataTo),
    });
    await append(bars.slice(400, 410));
    await eventually(
      () => processor.stats().bars,
      (n) => n === 410,
    );
    await processor.stop();
    expect(processor.stats()).toMatchObject({ reloads: 1, lateVersions: 1 });
  });

  it('a version older than the expiry says HOLD with the reason, through the log too', async () => {
    // v1 only: its newest training bar is days before these bars.
    const age = (bars[0] as MarketData).timestamp - v1.training.dataTo;
    expect(age).toBeGreaterThan(24 * HOUR);
    const live = createSignalEngine([v1], { expiryMs: age + 400 * 5 * 60_000 });
    const signals = bars.flatMap((bar) => live.onBar(bar));
    const expiresAt = v1.training.dataTo + age + 400 * 5 * 60_000;
    const expired = signals.filter((s) => s.timestamp > expiresAt);
    const fresh = signals.filter((s) => s.timestamp <= expiresAt);
    expect(expired.length).toBeGreaterThan(0);
    expect(fresh.length).toBeGreaterThan(0);
    for (const signal of expired) {
      expect(signal).toMatchObject({ signal: 'HOLD', confidence: 0, expected_change_pct: 0 });
      expect(signal.hold_reason).toMatch(
        /^model expired: logistic_regression-trend-h48\.v1 trained on bars up to 2023-/,
      );
    }
    expect(fresh.every((s) => s.hold_reason === null)).toBe(true);
    // The model itself would have said something else on some of the expired bars.
    const unexpired = createSignalEngine([v1]);
    const would = bars.flatMap((bar) => unexpired.onBar(bar)).filter((s) => s.timestamp > expiresAt);
    expect(would.some((s) => s.confidence > 0)).toBe(true);
    // The reason survives the Avro round trip of crypto.ml_signals.
    const decoded = await serde.decode(ML_SIGNALS, serde.encode(ML_SIGNALS, expired[0] as MlSignal));
    expect(decoded.hold_reason).toBe((expired[0] as MlSignal).hold_reason);
  });
});
