/**
 * A price with the precision its size needs: 2 decimals from 1,000, 4 from 1, 8 below (an asset
 * at 0.0016 shows 0.00160000, not 0.00).
 */
export function formatPrice(price: number): string {
  if (!Number.isFinite(price)) return String(price);
  const size = Math.abs(price);
  const digits = size >= 1_000 ? 2 : size >= 1 ? 4 : 8;
  return price.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
