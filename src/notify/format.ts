/** Number formats for humans reading Discord: grouped thousands, no float noise. */

const usd = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const fine = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6 });
const quantity = new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 });

/** A price: two decimals from 1 USDT up (68,000.50), six significant digits below (0.0812345). */
export const formatPrice = (price: number): string =>
  Math.abs(price) >= 1 ? usd.format(price) : fine.format(price);

export const formatQuantity = (value: number): string => quantity.format(value);

/** An amount in USDT, signed when asked: "+12.34 USDT", "-5.00 USDT". */
export const formatUsdt = (value: number, signed = false): string =>
  `${signed && value >= 0 ? '+' : ''}${usd.format(value)} USDT`;

export const formatPct = (value: number, signed = true): string =>
  `${signed && value >= 0 ? '+' : ''}${value.toFixed(2)}%`;

/** Cuts text to Discord's limit, marking the cut. */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;
