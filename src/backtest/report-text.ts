/** Text helpers the HTML reports (backtest, sweep) share. */

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A number with a fixed count of decimals and thousands separators; non-finite ones as they are. */
export const fixed = (v: number, digits = 2): string =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : String(v);

/** A time to the minute, UTC: `2023-01-21 18:55`. */
export const minuteUtc = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
