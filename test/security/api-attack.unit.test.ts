import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_SETTINGS } from '../../src/api/api-context.ts';
import { API_KEY, DEPLOYED_SETTINGS, serveFixtureApi, type ServedFixtureApi } from './security-api.ts';

/** Routes that change state, read from the OpenAPI document (a new one is covered without editing this). */
async function mutatingRoutes(api: ServedFixtureApi): Promise<Array<{ method: string; url: string }>> {
  const doc = (await (await fetch(`${api.origin}/docs/json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const out: Array<{ method: string; url: string }> = [];
  for (const [path, methods] of Object.entries(doc.paths))
    for (const method of Object.keys(methods))
      if (!['get', 'head', 'options'].includes(method))
        out.push({ method: method.toUpperCase(), url: path.replace('{orderId}', 'ORD-20240101-010') });
  return out;
}

const LEAKS = ['at /', '.ts:', 'node_modules', 'Error:', API_KEY] as const;
const leaksIn = (body: string): string[] => LEAKS.filter((leak) => body.includes(leak));

describe('the API under attack, as deployed (key set, defaults otherwise)', () => {
  let api: ServedFixtureApi;
  afterEach(async () => {
    await api.close();
  });

  it('refuses every state-changing route without the key and with a wrong one (401), changing nothing', async () => {
    api = await serveFixtureApi();
    const routes = await mutatingRoutes(api);
    expect(routes.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'POST /account/reset',
      'POST /controls/close',
      'POST /controls/pause',
      'POST /controls/resume',
      'POST /orders/ORD-20240101-010/cancel',
    ]);
    const wrongKeys: Array<Record<string, string>> = [
      {},
      { 'x-api-key': '' },
      { 'x-api-key': 'wrong' },
      { 'x-api-key': API_KEY.toUpperCase() },
      { 'x-api-key': `${API_KEY}0` },
      { authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString('base64')}` },
      { authorization: 'Bearer ' },
      { authorization: `Bearer ${API_KEY.slice(1)}` },
    ];
    for (const route of routes)
      for (const headers of wrongKeys) {
        const response = await fetch(`${api.origin}${route.url}`, { method: route.method, headers });
        expect(response.status, `${route.method} ${route.url} ${JSON.stringify(headers)}`).toBe(401);
        expect(leaksIn(await response.text())).toEqual([]);
      }
    expect(api.appended).toEqual([]);
    expect(api.controlRequests).toEqual([]);
  });

  it('rate-limits mutating routes by default: the request after the limit gets 429, key or not', async () => {
    api = await serveFixtureApi();
    const { max } = DEFAULT_API_SETTINGS.rateLimit;
    const statuses: number[] = [];
    for (let n = 0; n <= max; n++)
      statuses.push(
        (await fetch(`${api.origin}/account/reset`, { method: 'POST', headers: { 'x-api-key': 'guess' } }))
          .status,
      );
    expect(statuses.slice(0, max).every((s) => s === 401)).toBe(true);
    expect(statuses[max]).toBe(429);
    const withKey = await fetch(`${api.origin}/account/reset`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY },
    });
    expect(withKey.status).toBe(429);
    expect(withKey.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(api.appended).toEqual([]);
  });

  it('sends no CORS headers to a foreign origin, on a simple request or a preflight', async () => {
    api = await serveFixtureApi();
    const origin = 'https://attacker.example';
    const simple = await fetch(`${api.origin}/portfolio`, { headers: { origin } });
    expect(simple.status).toBe(200);
    const preflight = await fetch(`${api.origin}/orders/ORD-20240101-010/cancel`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-api-key',
      },
    });
    for (const response of [simple, preflight]) {
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('never leaks a stack trace, a source path or the key in an error body', async () => {
    const secret = `boom ${API_KEY} at /srv/app/src/api/routes/portfolio-routes.ts:12:3`;
    api = await serveFixtureApi(DEPLOYED_SETTINGS, {
      portfolio: () => {
        throw new Error(secret);
      },
    });
    const key = { 'x-api-key': API_KEY };
    const requests: Array<[string, RequestInit?]> = [
      ['/portfolio'], // the handler throws an error carrying the key and a path: a 500
      ['/nope/../../etc/passwd'],
      ['/orders?limit=-1'],
      ['/orders?limit=abc&__proto__=1'],
      ['/orders?cursor=%00%ff'],
      ['/orders/%E0%A4%A'],
      [`/orders/${'A'.repeat(10_000)}`],
      ['/signals?from=not-a-time'],
      ['/portfolio?at=2024-13-45T99:99:99Z'],
      ['/orders/ORD-20240101-999/cancel', { method: 'POST', headers: key }],
      [
        '/orders/ORD-20240101-010/cancel',
        { method: 'POST', headers: { ...key, 'content-type': 'application/json' }, body: '{"a":' },
      ],
      [
        '/account/reset',
        { method: 'POST', headers: { ...key, 'content-type': 'application/xml' }, body: '<a/>' },
      ],
      [
        '/account/reset',
        {
          method: 'POST',
          headers: { ...key, 'content-type': 'application/json' },
          body: `{"x":"${'y'.repeat(2 << 20)}"}`,
        },
      ],
      ['/account/reset', { method: 'POST', headers: { 'x-api-key': `${API_KEY}x` } }],
    ];
    const statuses: number[] = [];
    for (const [url, init] of requests) {
      const response = await fetch(`${api.origin}${url}`, init);
      const body = await response.text();
      statuses.push(response.status);
      expect(response.status, `${url} ${body}`).toBeGreaterThanOrEqual(400);
      expect(leaksIn(body), `${url}: ${body}`).toEqual([]);
      expect(() => JSON.parse(body) as unknown, body).not.toThrow();
    }
    expect(statuses[0]).toBe(500);
    expect(statuses.filter((s) => s >= 500)).toEqual([500]);
  });
});
