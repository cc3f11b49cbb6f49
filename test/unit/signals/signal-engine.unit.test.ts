import { describe, expect, it } from 'vitest';
import { validateSignal, type MlSignal } from '../../../src/contracts/index.ts';
import { latestArtifacts, readArtifact, reportedScores, warmupBars } from '../../../src/ml/index.ts';
import { createSignalEngine } from '../../../streams/signals/index.ts';
import { fixtureBars } from '../ml/fixture-bars.ts';
import { trainSmallModels } from './trained-models.ts';

const modelsDir = trainSmallModels();
const artifacts = [...latestArtifacts(modelsDir).values()].map((s) => readArtifact(s.path));
const bars = fixtureBars().slice(6000, 7200);

describe('signal engine', () => {
  it('emits one valid signal per bar and model once warm, HOLD included, scores from the artifact', () => {
    const engine = createSignalEngine(artifacts);
    const signals: MlSignal[] = [];
    for (const bar of bars) {
      const out = engine.onBar(bar);
      for (const signal of out) {
        expect(validateSignal(signal, { now: bar.timestamp })).toEqual([]);
        expect(signal.timestamp).toBe(bar.timestamp);
        expect(signal.current_price).toBe(bar.price);
      }
      signals.push(...out);
    }
    const warm = warmupBars(artifacts[0]!.features);
    expect(signals.length).toBe((bars.length - warm + 1) * artifacts.length);
    expect(new Set(signals.map((s) => s.signal)).has('HOLD')).toBe(true);
    for (const artifact of artifacts) {
      const mine = signals.filter((s) => s.metadata.model_version === artifact.version);
      expect(mine.length).toBe(bars.length - warm + 1);
      expect(mine[0]).toMatchObject({
        model: artifact.model,
        prediction_type: artifact.target,
        metadata: { r2_score: reportedScores(artifact).r2, mae: reportedScores(artifact).mae },
      });
    }
  });

  it('serves exactly what training evaluated (no training/serving skew)', () => {
    const artifact = artifacts.find((a) => a.model === 'random_forest' && a.target === 'trend')!;
    const engine = createSignalEngine([artifact]);
    const all = fixtureBars().slice(0, 6000);
    const expected = new Map(
      artifact.evaluation.time.map((t, i) => [t, artifact.evaluation.expectedChangePct[i]]),
    );
    const confidence = new Map(
      artifact.evaluation.time.map((t, i) => [t, artifact.evaluation.confidence[i]]),
    );
    let compared = 0;
    for (const bar of all)
      for (const signal of engine.onBar(bar)) {
        if (!expected.has(signal.timestamp)) continue;
        expect(signal.expected_change_pct).toBe(expected.get(signal.timestamp));
        expect(signal.confidence).toBe(confidence.get(signal.timestamp));
        compared++;
      }
    expect(compared).toBe(artifact.evaluation.time.length);
  });

  it('a restored snapshot continues with the same signals; repeated bars give none', () => {
    const whole = createSignalEngine(artifacts);
    const first = createSignalEngine(artifacts);
    const cut = 700;
    const expected: MlSignal[] = [];
    for (const [i, bar] of bars.entries()) {
      const out = whole.onBar(bar);
      if (i >= cut) expected.push(...out);
    }
    for (const bar of bars.slice(0, cut)) first.onBar(bar);
    const snapshot = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<typeof first.snapshot>;
    const second = createSignalEngine(artifacts);
    second.restore(snapshot);
    expect(second.onBar(bars[cut - 1]!)).toEqual([]);
    const got = bars.slice(cut).flatMap((bar) => second.onBar(bar));
    expect(got.length).toBe(expected.length);
    // Running sums restart from the kept bars: equal to within floating-point rounding.
    const near = (v: number, digits: number): unknown => expect.closeTo(v, digits);
    for (const [i, signal] of got.entries()) {
      const want = expected[i]!;
      expect(signal).toEqual({
        ...want,
        predicted_value: near(want.predicted_value, 6),
        expected_change_pct: near(want.expected_change_pct, 9),
        confidence: near(want.confidence, 9),
        features: {
          ma_7: near(want.features.ma_7, 6),
          ma_25: near(want.features.ma_25, 6),
          rsi_14: near(want.features.rsi_14, 1),
          volatility_7d: near(want.features.volatility_7d, 9),
          volume_change_pct: near(want.features.volume_change_pct, 9),
        },
      });
    }
  });

  it('new model versions are swapped in with warm windows', () => {
    const forest = artifacts.filter((a) => a.model === 'random_forest');
    const engine = createSignalEngine(forest.slice(0, 1));
    for (const bar of bars.slice(0, 500)) engine.onBar(bar);
    engine.setModels(forest);
    const out = engine.onBar(bars[500]!);
    expect(out.map((s) => s.metadata.model_version).sort()).toEqual(forest.map((a) => a.version).sort());
  });
});
