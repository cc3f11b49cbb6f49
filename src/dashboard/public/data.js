/** Loading what the page shows from the API; every route used here has a JSON schema on the server. */

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

export const symbols = () => getJson('/candles/symbols');
export const candles = (symbol, limit) =>
  getJson(`/candles?symbol=${encodeURIComponent(symbol)}&limit=${limit}`);
/** The portfolio, equity curve and latest orders read together, with the page's as-of time. */
export const snapshot = (orders) => getJson(`/dashboard/snapshot?orders=${orders}`);
export const pipeline = () => getJson('/pipeline');
/** What the operators paused (503 when this process serves no controls). */
export const controls = () => getJson('/controls');

/** The signals of a symbol from a time on, following the cursor for at most `maxPages` pages. */
export async function signals(symbol, from, maxPages = 10) {
  const out = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page++) {
    const query = new URLSearchParams({ symbol, from: String(from), limit: '500' });
    if (cursor !== null) query.set('cursor', cursor);
    const body = await getJson(`/signals?${query}`);
    out.push(...body.signals);
    cursor = body.nextCursor;
    if (cursor === null) break;
  }
  return out;
}
