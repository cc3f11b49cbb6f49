/** Number and time formatting for the page: fixed locale, UTC times, signs on PnL. */

const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** USDT amounts: 12,345.67. */
export const usd = (value) => (Number.isFinite(value) ? money.format(value) : '–');

/** Signed USDT amounts: +12.30 / −4.10. */
export const signedUsd = (value) =>
  Number.isFinite(value) ? `${value > 0 ? '+' : value < 0 ? '−' : ''}${money.format(Math.abs(value))}` : '–';

/** Fractions as percentages: 0.0512 -> 5.12%. */
export const pct = (fraction) => (Number.isFinite(fraction) ? percent.format(fraction) : '–');

/**
 * Signed fractions as percentages with a true minus: -0.0007 -> −0.07%, 0 -> 0.00%. Drawdown is shown
 * as a negative number on the card and on the chart alike, through this one function.
 */
export const signedPct = (fraction) =>
  Number.isFinite(fraction)
    ? `${fraction < 0 && percent.format(-fraction) !== percent.format(0) ? '−' : ''}${percent.format(Math.abs(fraction))}`
    : '–';

/** Prices with digits enough for their size: 68,000.50, 1.2345, 0.000123. */
export function price(value) {
  if (!Number.isFinite(value)) return '–';
  const digits = value >= 1000 ? 2 : value >= 1 ? 4 : 6;
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits });
}

/** Coin quantities: up to 6 decimals, no trailing zeros. */
export const quantity = (value) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: 6 }) : '–';

const pad = (n) => String(n).padStart(2, '0');

/** Ms since epoch as `MM-DD HH:mm` UTC. */
export function time(ms) {
  if (!Number.isFinite(ms)) return '–';
  const d = new Date(ms);
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Ms since epoch as `HH:mm` UTC. */
export function clock(ms) {
  if (!Number.isFinite(ms)) return '–';
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** The CSS class of a signed number. */
export const tone = (value) => (value > 0 ? 'pos' : value < 0 ? 'neg' : '');
