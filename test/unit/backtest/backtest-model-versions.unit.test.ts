import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/backtest/run-backtest.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { MARKET_DATA, type MarketData } from '../../../src/contracts/index.ts';
import { fitModels, saveArtifact, type ModelArtifact } from '../../../src/ml/index.ts';
import { silentLogger } from '../../support/runtimes.ts';
import { fixtureBars } from '../ml/fixture-bars.ts';

const RULE = [{ model: 'ma_rsi_rule', target: 'trend' }] as const;

/** A live run's models directory: the rule as first trained (v1), then a v2 that never buys, live from `activeFrom`. */
function liveRunVersions(activeFrom: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'cml-live-models-'));
  const fit = (rule: { buyRsiBelow: number; sellRsiAbove: number }) =>
    fitModels({ bars: fixtureBars().slice(0, 3_000), specs: RULE, settings: { rule } })[0] as Omit<
      ModelArtifact,
      'version'
    >;
  saveArtifact(dir, fit({ buyRsiBelow: 70, sellRsiAbove: 80 }));
  const v2 = fit({ buyRsiBelow: 0, sellRsiAbove: 100 });
  saveArtifact(dir, {
    ...v2,
    provenance: {
      activeFrom,
      dataFrom: v2.training.dataFrom,
      dataTo: v2.training.dataTo,
      bars: 3_000,
      topic: MARKET_DATA,
      offsets: { '0': 3_000 },
      code: { packageVersion: 'test' },
      scores: { r2: 0, mae: 0, accuracy: 0, baselineAccuracy: 0 },
      trainer: { windowMs: 0, intervalMs: 0 },
    },
  });
  return dir;
}

describe("a backtest of a live run's model versions (--model-versions)", () => {
  it(
    'serves each bar with the version live at its time, the same on the research engine and the live processors',
    { timeout: 240_000 },
    async () => {
      const bars = fixtureBars().slice(3_000, 5_000);
      const file = join(mkdtempSync(join(tmpdir(), 'cml-versions-csv-')), 'BTCUSDT-5m.csv');
      writeFileSync(
        file,
        `open_time,open,high,low,close,volume\n${bars.map((b: MarketData) => `${b.timestamp},${b.open},${b.high},${b.low},${b.price},${b.volume}`).join('\n')}\n`,
      );
      const activeFrom = (bars[1_200] as MarketData).timestamp;
      const modelVersions = liveRunVersions(activeFrom);
      const config = loadConfig({
        env: {
          CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-versions-run-')),
          ML_MODELS: 'ma_rsi_rule:trend',
        },
      });
      const run = (engine: 'lockstep' | 'pipeline') =>
        runBacktest({
          config,
          logger: silentLogger,
          files: [file],
          outDir: mkdtempSync(join(tmpdir(), `cml-versions-${engine}-`)),
          trainShare: 0.5,
          modelVersions,
          engine,
        });
      const lockstep = await run('lockstep');
      const buys = lockstep.orders.filter((o) => o.action === 'BUY' && o.status === 'PENDING');
      // v1 buys before activeFrom; v2, which never buys, serves every bar after it.
      expect(buys.filter((o) => o.timestamp < activeFrom).length).toBeGreaterThan(3);
      expect(buys.filter((o) => o.timestamp >= activeFrom)).toEqual([]);
      expect(lockstep.report.run.models).toBe(
        `2 versions from ${modelVersions}, each bar served by the one live at its time`,
      );
      const pipeline = await run('pipeline');
      expect(pipeline.orders).toEqual(lockstep.orders);
    },
  );
});
