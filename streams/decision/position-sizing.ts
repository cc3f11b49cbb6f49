import type { DecisionSettings } from './decision-settings.ts';

export interface SizingInput {
  readonly equity: number;
  /** Cash not yet promised to PENDING BUYs. */
  readonly availableCash: number;
  readonly price: number;
  /** The signal's features.volatility_7d, in percent. */
  readonly volatilityPct: number;
}

export type Sizing =
  | {
      readonly kind: 'sized';
      readonly quantity: number;
      /** quantity * price, computed as the contract's validation computes it. */
      readonly totalValue: number;
      readonly positionSizePct: number;
      /** Which limit set the size. */
      readonly limitedBy: 'TARGET' | 'MAX_POSITION' | 'CASH';
    }
  | {
      readonly kind: 'too-small';
      readonly limitedBy: 'TARGET' | 'MAX_POSITION' | 'CASH';
      readonly value: number;
    };

/**
 * Cash kept back from every BUY: the exchange rounds the fee to 8 decimals (up to 5e-9 USDT more
 * than the exact fee) and refuses an order whose cost with the fee exceeds the cash by 1e-9.
 */
const ROUNDING_MARGIN = 1e-8;

/** Digits after the point of a step such as 0.001 or 1e-6, so quantities print without float noise. */
const decimalsOf = (step: number): number => {
  const [mantissa = '', exponent] = step.toExponential().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
};

/** Target percent of equity: the fixed fraction, or scaled by target / realised volatility when enabled and known. */
function targetPct(settings: DecisionSettings, volatilityPct: number): number {
  if (!settings.volatilityScaling || !(volatilityPct > 0)) return settings.positionSizePct;
  return (settings.positionSizePct * settings.volatilityTargetPct) / volatilityPct;
}

/**
 * Sizes a new long position: the target (a fraction of equity, optionally volatility-scaled),
 * capped by the max position percent and by the available cash less the fee, rounded down to the
 * quantity step. By construction quantity * price * (1 + feeRate) <= availableCash, with room for
 * the exchange's rounding of the fee.
 */
export function sizePosition(input: SizingInput, settings: DecisionSettings): Sizing {
  const spendable = input.availableCash - ROUNDING_MARGIN;
  const caps = {
    TARGET: (input.equity * targetPct(settings, input.volatilityPct)) / 100,
    MAX_POSITION: (input.equity * settings.maxPositionPct) / 100,
    CASH: Math.max(0, spendable) / (1 + settings.feeRate),
  } as const;
  const limitedBy = (Object.keys(caps) as (keyof typeof caps)[]).reduce((a, b) =>
    caps[b] < caps[a] ? b : a,
  );
  const notional = caps[limitedBy];
  const step = settings.quantityStep;
  const digits = decimalsOf(step);
  const quantityOf = (units: number): number => Number((units * step).toFixed(digits));
  let units = Math.floor(notional / input.price / step);
  // Rounding the quantity to the step's digits can land a hair above the cap: step down until it fits.
  while (units > 0 && quantityOf(units) * input.price * (1 + settings.feeRate) > spendable) units--;
  const quantity = quantityOf(units);
  const totalValue = quantity * input.price;
  if (quantity <= 0 || totalValue < settings.minOrderValue)
    return { kind: 'too-small', limitedBy, value: totalValue };
  return {
    kind: 'sized',
    quantity,
    totalValue,
    positionSizePct: (totalValue / input.equity) * 100,
    limitedBy,
  };
}
