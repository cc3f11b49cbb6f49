import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildSignalTape } from '../../../src/backtest/lockstep-engine.ts';
import { readBarsFile, trainModels } from '../../../src/ml/index.ts';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url),
);

describe('a signal tape with model swaps (walk-forward)', () => {
  it('serves each version from its swap time on, its feature windows kept warm', () => {
    const bars = readBarsFile(FIXTURE, 'BTCUSDT').bars.slice(0, 2_000);
    const modelsDir = mkdtempSync(join(tmpdir(), 'cml-swaps-'));
    const train = (from: number, to: number) =>
      trainModels({
        bars: bars.slice(from, to),
        modelsDir,
        specs: [{ model: 'ma_rsi_rule', target: 'trend' }],
      }).map((t) => t.artifact);
    const first = train(0, 1_000);
    const second = train(500, 1_500);
    const swapAt = (bars[1_500] as { timestamp: number }).timestamp;
    const tape = buildSignalTape({
      bars: bars.slice(1_000),
      artifacts: first,
      modelSwaps: [{ from: swapAt, artifacts: second }],
    });
    const signals = tape.steps.flatMap((step) => step.signals);
    const versionAt = (before: boolean) =>
      new Set(signals.filter((s) => s.timestamp < swapAt === before).map((s) => s.metadata.model_version));
    expect(versionAt(true)).toEqual(new Set(['ma_rsi_rule.v1']));
    expect(versionAt(false)).toEqual(new Set(['ma_rsi_rule.v2']));
    // One signal per bar on both sides of the swap: no warm-up gap after it.
    const warm = tape.steps.filter((step) => step.time >= swapAt);
    expect(warm.every((step) => step.signals.length === 1)).toBe(true);
  });
});
