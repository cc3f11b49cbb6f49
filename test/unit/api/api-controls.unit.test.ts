import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../../projections/signals/signal-store.ts';
import { DEFAULT_API_SETTINGS } from '../../../src/api/api-context.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { CONTROLS } from '../../../src/contracts/index.ts';
import { ControlCodec, controlsView, LogOperatorControls } from '../../../src/controls/index.ts';
import { openEmbeddedRuntime, prepareRuntime, type Runtime } from '../../../src/runtime/index.ts';
import { API_KEY, fixtureApi, fixtureStores } from './api-fixture.ts';

const withKey = { ...DEFAULT_API_SETTINGS, key: API_KEY };

describe('operator controls over the API', () => {
  let stores: { store: PortfolioStore; signals: SignalStore };
  let runtime: Runtime;
  let app: FastifyInstance;
  let operator: LogOperatorControls;
  /** Open positions per symbol, as the portfolio read model would say. */
  const open = new Map<string, number>([['AAAUSDT', 1]]);

  const post = (url: string, body: object | undefined, key: string | null = API_KEY) =>
    app.inject({
      method: 'POST',
      url,
      ...(body === undefined ? {} : { payload: body }),
      headers: key === null ? {} : { 'x-api-key': key },
    });
  const logged = async () => (await runtime.log.endOffsets(CONTROLS)).get(0) ?? 0;

  beforeEach(async () => {
    stores = await fixtureStores();
    const config = loadConfig({ env: { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-api-controls-')) } });
    runtime = openEmbeddedRuntime(config);
    await prepareRuntime(runtime, config);
    operator = new LogOperatorControls({
      log: runtime.log,
      codec: await ControlCodec.create(runtime.registry),
      openPositions: (symbol) => open.get(symbol) ?? 0,
      now: () => 1_700_000_000_000,
    });
    ({ app } = await fixtureApi(stores, {
      settings: withKey,
      controls: { operator, view: async () => controlsView(await operator.history()) },
    }));
  });
  afterEach(async () => {
    await app.close();
    await runtime.close();
    await stores.store.close();
    await stores.signals.close();
  });

  it('refuses every control without the key, or with a wrong one, and appends nothing', async () => {
    for (const [url, body] of [
      ['/controls/pause', {}],
      ['/controls/resume', {}],
      ['/controls/close', { symbol: 'AAAUSDT' }],
    ] as const) {
      const missing = await post(url, body, null);
      expect(missing.statusCode, url).toBe(401);
      expect(missing.json<{ code: string }>().code).toBe('CML_API_UNAUTHORIZED');
      expect((await post(url, body, 'not-the-key')).statusCode, url).toBe(401);
    }
    expect(await logged()).toBe(0);
  });

  it('a pause and a resume are events in crypto.controls; GET /controls shows what is paused', async () => {
    expect((await post('/controls/pause', { reason: 'news', by: 'alice' })).statusCode).toBe(202);
    expect((await post('/controls/pause', { symbol: 'ETHUSDT' })).statusCode).toBe(202);
    let view = (await app.inject({ url: '/controls' })).json<{
      entriesPaused: boolean;
      pausedSymbols: string[];
      controls: Array<{ action: string; requestedBy: string; appliesFrom: number | null }>;
    }>();
    expect(view.entriesPaused).toBe(true);
    expect(view.pausedSymbols).toEqual(['ETHUSDT']);
    expect(view.controls.map((c) => [c.action, c.requestedBy, c.appliesFrom])).toEqual([
      ['PAUSE_ENTRIES', 'api', null],
      ['PAUSE_ENTRIES', 'alice', null],
    ]);
    expect((await post('/controls/resume', {})).statusCode).toBe(202);
    view = (await app.inject({ url: '/controls' })).json();
    expect(view.entriesPaused).toBe(false);
    expect(view.pausedSymbols).toEqual(['ETHUSDT']);
    expect(await logged()).toBe(3);
  });

  it('a force-close of a symbol with no open position is refused (409) with the reason', async () => {
    const response = await post('/controls/close', { symbol: 'BTCUSDT' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      error: 'Conflict',
      code: 'CML_CONTROL_REFUSED',
      message: 'no open BTCUSDT position to close',
    });
    await expect(operator.forceClose({ symbol: 'BTCUSDT', by: 'bot' })).rejects.toMatchObject({
      code: 'CML_CONTROL_REFUSED',
    });
    expect(await logged()).toBe(0);
    expect((await post('/controls/close', { symbol: 'AAAUSDT' })).statusCode).toBe(202);
    expect(await logged()).toBe(1);
  });

  it('refuses a symbol that is not a pair, unknown fields and fields that are not strings (400)', async () => {
    expect((await post('/controls/close', { symbol: 'btc' })).statusCode).toBe(400);
    expect((await post('/controls/pause', { symbol: 'BTCUSDT', until: 5 })).statusCode).toBe(400);
    const coerced = await post('/controls/resume', { by: false });
    expect(coerced.json()).toMatchObject({ code: 'CML_API_BAD_REQUEST', message: 'body/by must be string' });
    expect(await logged()).toBe(0);
  });
});
