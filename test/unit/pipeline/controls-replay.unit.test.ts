import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/index.ts';
import { FORCE_CLOSE_STRATEGY, MARKET_DATA, ML_SIGNALS, ORDERS } from '../../../src/contracts/index.ts';
import { runLockstep } from '../../../src/backtest/lockstep-engine.ts';
import { modelsDirOf, readBarsFile, servedSlotsOf } from '../../../src/ml/index.ts';
import { openEmbeddedRuntime, prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { decisionSettingsOf } from '../../../streams/decision/index.ts';
import { exchangeSettingsOf } from '../../../streams/exchange/open-exchange.ts';
import { ModelSource } from '../../../streams/signals/model-source.ts';
import { replayWithControls, runWithControls, type RunOptions } from '../../support/controlled-run.ts';
import { looseSettings, trainedWindow } from '../../support/pipeline-runs.ts';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url),
);

/** A fresh embedded log for one run of the processors (its own data directory and groups). */
async function onFreshLog<T>(config: Config, use: (options: RunOptions) => Promise<T>): Promise<T> {
  const runConfig: Config = {
    ...config,
    dataDir: mkdtempSync(join(tmpdir(), 'cml-controls-run-')),
    topics: {
      [MARKET_DATA]: { retentionMs: -1 },
      [ML_SIGNALS]: { retentionMs: -1 },
      [ORDERS]: { retentionMs: -1 },
    },
  };
  const runtime = openEmbeddedRuntime(runConfig);
  try {
    await prepareRuntime(runtime, runConfig);
    const serde = await AvroSerde.create(runtime.registry);
    return await use({ config: runConfig, runtime, serde });
  } finally {
    await runtime.close();
  }
}

describe('controls replay', () => {
  it(
    'a run with pause, resume and force-close, rebuilt from the log, gives the same orders and state hash',
    { timeout: 300_000 },
    async () => {
      const { bars } = readBarsFile(FIXTURE, 'BTCUSDT');
      const config = looseSettings(
        mkdtempSync(join(tmpdir(), 'cml-controls-')),
        mkdtempSync(join(tmpdir(), 'cml-controls-models-')),
        'ma_rsi_rule:trend',
      );
      const window = trainedWindow(config, bars, 1_500, 1_500);

      const live = await onFreshLog(config, (options) => runWithControls(options, window));
      const replay = await onFreshLog(config, (options) =>
        replayWithControls(options, window, live.controls),
      );

      // Each request was recorded by the engine once, and the replay recorded nothing new.
      const records = live.controls.filter((c) => c.applied_from !== null);
      expect(records.map((c) => c.action)).toEqual(['PAUSE_ENTRIES', 'RESUME_ENTRIES', 'FORCE_CLOSE']);
      expect(replay.controls).toEqual(live.controls);

      expect(replay.orders).toEqual(live.orders);
      expect(replay.hash).toBe(live.hash);

      // The research engine, given the run's records, decides the same too.
      const lockstep = runLockstep({
        bars: window,
        artifacts: new ModelSource(modelsDirOf(config), servedSlotsOf(config)).load(),
        decision: decisionSettingsOf(config.decision),
        exchange: exchangeSettingsOf(config),
        controls: live.controls,
      });
      expect(lockstep.orders).toEqual(live.orders);
      expect(lockstep.hash).toBe(live.hash);

      // While paused: no BUY placed, and the position open at the pause still reached its exit.
      const [pausedFrom, resumedFrom] = records.map((c) => c.applied_from as number);
      const inPause = (time: number) => time >= (pausedFrom as number) && time < (resumedFrom as number);
      const placed = live.orders.filter((o) => o.status === 'PENDING');
      expect(placed.filter((o) => o.action === 'BUY' && inPause(o.timestamp))).toEqual([]);
      expect(placed.some((o) => o.action === 'BUY' && o.timestamp >= (resumedFrom as number))).toBe(true);
      expect(live.orders.some((o) => o.status === 'CLOSED' && inPause(o.event_time ?? o.timestamp))).toBe(
        true,
      );

      // The force-close: a MARKET SELL the exchange filled, closing the position as MANUAL.
      const forced = live.orders.filter((o) => o.strategy === FORCE_CLOSE_STRATEGY);
      expect(forced.map((o) => `${o.action} ${o.status}`)).toEqual(['SELL PENDING', 'SELL FILLED']);
      expect(live.orders.some((o) => o.status === 'CLOSED' && o.close_reason === 'MANUAL')).toBe(true);
    },
  );
});
