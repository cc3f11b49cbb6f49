import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../../projections/signals/signal-store.ts';
import { DEFAULT_API_SETTINGS } from '../../../src/api/api-context.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { ControlCodec, controlsView, LogOperatorControls } from '../../../src/controls/index.ts';
import { openEmbeddedRuntime, prepareRuntime, type Runtime } from '../../../src/runtime/index.ts';
import { runCli } from '../../support/cli-process.ts';
import { API_KEY, fixtureApi, fixtureStores } from '../api/api-fixture.ts';

describe('cml controls, against a running API', () => {
  let stores: { store: PortfolioStore; signals: SignalStore };
  let runtime: Runtime;
  let app: FastifyInstance;
  let url: string;
  const cli = (args: string[], key: string | null = API_KEY) =>
    runCli(['controls', ...args, '--url', url], {
      CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-cli-controls-')),
      ...(key === null ? {} : { CML_API_KEY: key }),
    });

  beforeAll(async () => {
    stores = await fixtureStores();
    const config = loadConfig({ env: { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-cli-controls-')) } });
    runtime = openEmbeddedRuntime(config);
    await prepareRuntime(runtime, config);
    const operator = new LogOperatorControls({
      log: runtime.log,
      codec: await ControlCodec.create(runtime.registry),
      openPositions: () => 0,
    });
    ({ app } = await fixtureApi(stores, {
      settings: { ...DEFAULT_API_SETTINGS, key: API_KEY },
      controls: { operator, view: async () => controlsView(await operator.history()) },
    }));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await runtime.close();
    await stores.store.close();
    await stores.signals.close();
  });

  it(
    'pauses, lists the pause, and refuses a force-close of a flat symbol with a clear error',
    { timeout: 60_000 },
    async () => {
      const pause = await cli(['pause', '--symbol', 'ETHUSDT', '--reason', 'listing news', '--by', 'alice']);
      expect(pause.stderr).toBe('');
      expect(pause.stdout).toContain('pause of ETHUSDT requested');
      const list = await cli(['list'], null);
      expect(list.stdout).toContain('paused symbols: ETHUSDT');
      expect(list.stdout).toMatch(/PAUSE_ENTRIES +ETHUSDT +by alice +applies from not yet +\(listing news\)/);
      const close = await cli(['close', 'BTCUSDT']);
      expect(close.code).toBe(1);
      expect(close.stderr.trim()).toBe('error [CML_CONTROL_REFUSED]: no open BTCUSDT position to close');
    },
  );

  it('without the key: refused, with the hint to set it', { timeout: 30_000 }, async () => {
    const refused = await cli(['resume'], null);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error [CML_API_UNAUTHORIZED]');
    expect(refused.stderr).toContain('CML_API_KEY');
  });
});
