import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MARKET_DATA } from '../../../src/contracts/index.ts';
import { isCmlError } from '../../../src/errors/index.ts';
import { importKlines } from '../../../src/ingest/import-klines.ts';
import { Publisher } from '../../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { runCli } from '../../support/cli-process.ts';
import { embeddedHarness } from '../../support/runtimes.ts';

/** History is kept or refused, never silently lost; importing it twice never doubles it. */

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url),
);
const ROWS = readFileSync(FIXTURE, 'utf8').trim().split('\n');
const FIRST_BAR = Number(ROWS[1]?.split(',')[0]);

const total = async (runtime: Runtime): Promise<number> =>
  [...(await runtime.log.endOffsets(MARKET_DATA)).values()].reduce((a, b) => a + b, 0);

async function openPrepared(): Promise<{ runtime: Runtime; publisher: Publisher }> {
  const harness = embeddedHarness();
  const runtime = await harness.open();
  await prepareRuntime(runtime, harness.config);
  return { runtime, publisher: new Publisher(runtime.log, await AvroSerde.create(runtime.registry)) };
}

describe('import and retention', () => {
  it('refuses a file that starts before what the topic keeps, writing nothing of it', async () => {
    const { runtime, publisher } = await openPrepared();
    const refused = await importKlines(runtime.log, publisher, {
      file: FIXTURE,
      keptFrom: FIRST_BAR + 1,
    }).catch((error: unknown) => error);
    expect(isCmlError(refused) && refused.code).toBe('CML_HISTORY_BEYOND_RETENTION');
    expect(String((refused as Error).message)).toContain('Nothing of this file was imported');
    expect(await total(runtime)).toBe(0);
    const kept = await importKlines(runtime.log, publisher, { file: FIXTURE, keptFrom: FIRST_BAR });
    expect(kept.imported).toBe(10_999);
    await runtime.close();
  });

  it('never counts a bar the log does not hold as already present (older than the newest, by (symbol, time))', async () => {
    const { runtime, publisher } = await openPrepared();
    const dir = mkdtempSync(join(tmpdir(), 'cml-history-'));
    const later = join(dir, 'BTCUSDT-later.csv');
    writeFileSync(later, `${[ROWS[0], ...ROWS.slice(5_001)].join('\n')}\n`);
    expect((await importKlines(runtime.log, publisher, { file: later })).imported).toBe(5_999);
    const whole = await importKlines(runtime.log, publisher, { file: FIXTURE });
    expect(whole).toMatchObject({ imported: 0, alreadyPresent: 5_999, behindLog: 5_000 });
    expect(await total(runtime)).toBe(5_999);
    await runtime.close();
  });
});

describe('import through the CLI', () => {
  it(
    'refuses history older than the retention, with the fix; with the fix it is kept across opens and a second import adds nothing',
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'cml-history-'));
      const env = { CML_DATA_DIR: dataDir };
      const refused = await runCli(['import', FIXTURE], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('CML_HISTORY_BEYOND_RETENTION');
      expect(refused.stderr).toContain('{"topics": {"crypto.market_data": {"retentionMs": -1}}}');
      expect(refused.stderr).not.toMatch(/\n\s+at /);

      const config = join(dataDir, 'cml.config.json');
      writeFileSync(config, JSON.stringify({ topics: { [MARKET_DATA]: { retentionMs: -1 } } }));
      const kept = await runCli(['--config', config, 'import', FIXTURE], env);
      expect(kept.code, kept.stderr).toBe(0);
      expect(kept.stdout).toContain('10999 imported, 0 already present');
      // Every command that opens the store applies retention: the history stays.
      const again = await runCli(['--config', config, 'import', FIXTURE], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('0 imported, 10999 already present');
      const first = await runCli(
        ['--config', config, 'tail', MARKET_DATA, '--from-beginning', '-n', '1'],
        env,
      );
      expect(first.stdout).toContain(`"offset":0,"timestamp":"${new Date(FIRST_BAR).toISOString()}"`);
      const status = await runCli(['--config', config, 'status'], env);
      expect(status.stdout).toMatch(/crypto\.market_data\s+3 partitions\s+10999 offsets/);
    },
  );
});
