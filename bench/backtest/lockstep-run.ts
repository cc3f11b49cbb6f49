import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runLockstep, type LockstepResult } from '../../src/backtest/lockstep-engine.ts';
import { trainOnEarliest } from './train-earliest.ts';
import type { Config } from '../../src/config/index.ts';
import type { MarketData } from '../../src/contracts/index.ts';
import { readBarsFile, servedSlotsOf } from '../../src/ml/index.ts';
import { decisionSettingsOf } from '../../streams/decision/index.ts';
import { exchangeSettingsOf } from '../../streams/exchange/open-exchange.ts';
import { ModelSource } from '../../streams/signals/model-source.ts';

export interface LockstepRun {
  readonly seconds: number;
  readonly barsPerSecond: number;
  readonly bars: number;
  readonly result: LockstepResult;
}

/**
 * What `cml backtest` does on its default engine, timed as Backtrader's `cerebro.run()` is: from
 * the bars' CSV file to the trades (parse, features, models, decisions, exchange, portfolio). The
 * models are trained first on the earliest `trainShare` of the bars and loaded (not timed); the
 * file holds the traded bars with the features' warm-up before them, in the kline format.
 */
export function runLockstepBars(options: {
  readonly config: Config;
  readonly bars: readonly MarketData[];
  readonly trainShare: number;
  readonly dir: string;
  readonly runs: number;
}): LockstepRun[] {
  const { bars } = options;
  const modelsDir = resolve(options.dir, 'models');
  const config: Config = { ...options.config, ml: { ...options.config.ml, modelsDir } };
  const { tradedBars } = trainOnEarliest(config, bars, options.trainShare);
  const artifacts = new ModelSource(modelsDir, servedSlotsOf(config)).load();
  mkdirSync(options.dir, { recursive: true });
  const symbol = (bars[0] as MarketData).symbol;
  const file = join(options.dir, `${symbol}-5m.csv`);
  const row = (b: MarketData): string => [b.timestamp, b.open, b.high, b.low, b.price, b.volume].join(',');
  writeFileSync(file, `open_time,open,high,low,close,volume\n${tradedBars.map(row).join('\n')}\n`);
  const runs: LockstepRun[] = [];
  for (let i = 0; i < options.runs; i++) {
    const started = performance.now();
    const read = readBarsFile(file, symbol).bars;
    const result = runLockstep({
      bars: read,
      artifacts,
      decision: decisionSettingsOf(config.decision),
      exchange: exchangeSettingsOf(config),
    });
    const seconds = (performance.now() - started) / 1000;
    runs.push({ seconds, barsPerSecond: read.length / seconds, bars: read.length, result });
  }
  return runs;
}
