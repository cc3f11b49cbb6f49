import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MARKET_DATA, type MarketData } from '../../src/contracts/index.ts';
import type { Config } from '../../src/config/index.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { readBarsFile } from '../../src/ml/index.ts';
import { CONTRACT_TOPICS, startServices, type PipelineTopics } from '../../src/pipeline/services.ts';
import type { Runtime } from '../../src/runtime/index.ts';
import type { AvroSerde } from '../../src/serde/index.ts';
import { looseSettings, trainedWindow } from './pipeline-runs.ts';
import { eventually, silentLogger } from './runtimes.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url));
const MODELS = 'ma_rsi_rule:trend';
const FIVE_MINUTES = 5 * 60_000;

/** Settings of a run with consumer groups of its own, its models trained, and its bars. */
export function historyThenLiveRun(historyBars: number, liveBars: number) {
  const modelsDir = mkdtempSync(join(tmpdir(), 'cml-history-models-'));
  const config = looseSettings(mkdtempSync(join(tmpdir(), 'cml-history-')), modelsDir, MODELS);
  const { bars } = readBarsFile(FIXTURE);
  const history = trainedWindow(config, bars, 1_500, historyBars);
  // What a live feed appends after the import: the market goes on, in the wall clock's present.
  const next = bars.slice(1_500 + historyBars, 1_500 + historyBars + liveBars);
  const shift = Date.now() - liveBars * FIVE_MINUTES - (next[0]?.timestamp ?? 0);
  const live: MarketData[] = next.map((bar) => ({ ...bar, timestamp: bar.timestamp + shift }));
  return { config, bars: [...history, ...live], live };
}

export interface Figures {
  /** From the first start until the decision engine decided its first signal. */
  readonly firstDecisionMs: number;
  /** How long each stop took. */
  readonly stopMs: readonly number[];
  /** Signals decided by each start before it was stopped. */
  readonly decided: readonly number[];
}

/**
 * History followed by live bars in one partition (one symbol), the whole pipeline started on it,
 * stopped while it works through the history, started again and stopped again: how soon it
 * decides, whether the second start moves on, and how long each stop takes.
 */
export async function runHistoryThenLive(
  runtime: Runtime,
  serde: AvroSerde,
  config: Config,
  bars: readonly MarketData[],
  topics: PipelineTopics = CONTRACT_TOPICS,
): Promise<Figures> {
  await runtime.log.append([
    { topic: topics.marketData, records: encodeValidated(serde, MARKET_DATA, bars, (b) => b.timestamp) },
  ]);
  const start = () =>
    startServices({
      config,
      runtime,
      serde,
      logger: silentLogger,
      services: ['projections', 'signals', 'decision', 'exchange'],
      clock: 'stream',
      topics,
    });
  const stopMs: number[] = [];
  const decided: number[] = [];
  const began = Date.now();
  const first = await start();
  await eventually(
    () => first.decision?.decided ?? 0,
    (n) => n > 0,
    60_000,
  );
  const firstDecisionMs = Date.now() - began;
  // Well into the history, with signals queued behind the one being decided.
  await eventually(
    () => first.decision?.decided ?? 0,
    (n) => n >= 50,
    60_000,
  );
  decided.push(first.decision?.decided ?? 0);
  let stopping = Date.now();
  await first.stop();
  stopMs.push(Date.now() - stopping);

  const second = await start();
  await eventually(
    () => second.decision?.decided ?? 0,
    (n) => n >= 50,
    60_000,
  );
  decided.push(second.decision?.decided ?? 0);
  stopping = Date.now();
  await second.stop();
  stopMs.push(Date.now() - stopping);
  return { firstDecisionMs, stopMs, decided };
}
