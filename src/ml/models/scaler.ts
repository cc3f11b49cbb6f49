/** Standardization fitted on the training rows: linear models need inputs on one scale. */
export interface Scaler {
  readonly mean: number[];
  readonly std: number[];
}

export function fitScaler(rows: readonly Float64Array[]): Scaler {
  const d = (rows[0] as Float64Array).length;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const row of rows) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (row[j] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / rows.length;
  for (const row of rows)
    for (let j = 0; j < d; j++) std[j] = (std[j] as number) + ((row[j] as number) - (mean[j] as number)) ** 2;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt((std[j] as number) / rows.length) || 1;
  return { mean, std };
}

export function scale(scaler: Scaler, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(scaler.mean.length);
  for (let j = 0; j < out.length; j++)
    out[j] = ((x[j] as number) - (scaler.mean[j] as number)) / (scaler.std[j] as number);
  return out;
}
