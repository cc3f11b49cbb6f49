import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { PortfolioStore } from '../../projections/portfolio/portfolio-store.ts';
import type { SignalStore } from '../../projections/signals/signal-store.ts';
import { DEFAULT_API_SETTINGS, type ApiDependencies, type ApiSettings } from '../../src/api/api-context.ts';
import type { OperatorControl, OrderEvent } from '../../src/contracts/index.ts';
import { API_KEY, fixtureApi, fixtureStores } from '../unit/api/api-fixture.ts';

export { API_KEY };

/** The API over the fixture's stores (orders in every status, signals), listening on loopback. */
export interface ServedFixtureApi {
  readonly app: FastifyInstance;
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly origin: string;
  /** What the mutating routes appended, per request. */
  readonly appended: OrderEvent[][];
  /** What the control routes asked for. */
  readonly controlRequests: OperatorControl[];
  close(): Promise<void>;
}

/** Settings as deployed: the key set, everything else the defaults (CORS closed, rate limit on). */
export const DEPLOYED_SETTINGS: ApiSettings = { ...DEFAULT_API_SETTINGS, key: API_KEY };

export async function serveFixtureApi(
  settings: ApiSettings = DEPLOYED_SETTINGS,
  overrides: Partial<ApiDependencies> = {},
): Promise<ServedFixtureApi> {
  const stores: { store: PortfolioStore; signals: SignalStore } = await fixtureStores();
  const { app, appended, controlRequests } = await fixtureApi(stores, { settings, ...overrides });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    origin: `http://127.0.0.1:${port}`,
    appended,
    controlRequests,
    async close() {
      await app.close();
      await stores.store.close();
      await stores.signals.close();
    },
  };
}
