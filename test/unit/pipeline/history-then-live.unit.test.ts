import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/index.ts';
import { MARKET_DATA, ML_SIGNALS, ORDERS } from '../../../src/contracts/index.ts';
import { openEmbeddedRuntime, prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { historyThenLiveRun, runHistoryThenLive } from '../../support/history-then-live.ts';

describe('history followed by live bars in one partition, on the embedded log', () => {
  it(
    'decides within seconds of each start, goes on after a restart, and stops within 5 s',
    { timeout: 300_000 },
    async () => {
      const run = historyThenLiveRun(4_000, 30);
      const forever = { retentionMs: -1 };
      const config: Config = {
        ...run.config,
        topics: { [MARKET_DATA]: forever, [ML_SIGNALS]: forever, [ORDERS]: forever },
      };
      const runtime = openEmbeddedRuntime(config);
      try {
        await prepareRuntime(runtime, config);
        const serde = await AvroSerde.create(runtime.registry);
        const figures = await runHistoryThenLive(runtime, serde, config, run.bars);
        console.log(`history then live on the embedded log: ${JSON.stringify(figures)}`);
        expect(figures.firstDecisionMs).toBeLessThan(20_000);
        for (const ms of figures.stopMs) expect(ms).toBeLessThan(5_000);
      } finally {
        await runtime.close();
      }
    },
  );
});
