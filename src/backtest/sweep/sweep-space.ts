import { CmlError, ErrorCodes } from '../../errors/index.ts';
import { SeededRandom } from '../../ingest/simulator/random.ts';
import { isIntegerParam, sweepParamOf, type ParamValues, type SweepParam } from './sweep-params.ts';

/** A parameter's values on the grid (`--grid stopLossPct=-1,-2,-3`). */
export interface GridAxis {
  readonly name: SweepParam;
  readonly values: readonly number[];
}

/** A parameter's range for random samples (`--range takeProfitPct=1:8`). */
export interface SampleRange {
  readonly name: SweepParam;
  readonly min: number;
  readonly max: number;
}

const usage = (message: string, hint: string): CmlError => new CmlError(ErrorCodes.USAGE, message, { hint });

const numberIn = (text: string, arg: string): number => {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value))
    throw usage(`${arg}: "${text}" is not a number`, 'Write values as plain numbers, e.g. -1.5 or 900000.');
  return value;
};

const nameAndRest = (arg: string, example: string): [SweepParam, string] => {
  const at = arg.indexOf('=');
  if (at <= 0) throw usage(`${arg}: expected name=values`, `For example ${example}.`);
  return [sweepParamOf(arg.slice(0, at).trim()), arg.slice(at + 1)];
};

/** `name=v1,v2,...` */
export function parseGridAxis(arg: string): GridAxis {
  const [name, rest] = nameAndRest(arg, '--grid stopLossPct=-1,-2,-3');
  const values = [...new Set(rest.split(',').map((v) => numberIn(v, arg)))];
  return { name, values };
}

/** `name=min:max` */
export function parseSampleRange(arg: string): SampleRange {
  const [name, rest] = nameAndRest(arg, '--range takeProfitPct=1:8');
  const parts = rest.split(':');
  if (parts.length !== 2)
    throw usage(`${arg}: expected name=min:max`, 'For example --range takeProfitPct=1:8.');
  const min = numberIn(parts[0] as string, arg);
  const max = numberIn(parts[1] as string, arg);
  if (!(min <= max)) throw usage(`${arg}: min ${min} is above max ${max}`, 'Give the range as min:max.');
  return { name, min, max };
}

const noRepeats = (names: readonly SweepParam[]): void => {
  const seen = new Set<SweepParam>();
  for (const name of names) {
    if (seen.has(name))
      throw usage(`${name} is given twice`, 'Give each parameter once, to --grid or to --range.');
    seen.add(name);
  }
};

/** Every combination of the axes' values, the first axis varying slowest. */
export function expandGrid(axes: readonly GridAxis[]): ParamValues[] {
  noRepeats(axes.map((a) => a.name));
  let combinations: ParamValues[] = [{}];
  for (const axis of axes)
    combinations = combinations.flatMap((partial) =>
      axis.values.map((value) => ({ ...partial, [axis.name]: value })),
    );
  return combinations;
}

/**
 * `count` points drawn uniformly from the ranges with a seeded generator: the same seed gives the
 * same points. Values are rounded to 4 decimals (integers for whole-number parameters), so each
 * can be written in a command and read back exactly.
 */
export function sampleRanges(ranges: readonly SampleRange[], count: number, seed: number): ParamValues[] {
  noRepeats(ranges.map((r) => r.name));
  const random = new SeededRandom(seed);
  const points: ParamValues[] = [];
  for (let i = 0; i < count; i++) {
    const point: Partial<Record<SweepParam, number>> = {};
    for (const range of ranges) {
      const raw = range.min + random.uniform() * (range.max - range.min);
      point[range.name] = isIntegerParam(range.name)
        ? Math.round(raw)
        : Math.min(range.max, Math.max(range.min, Number(raw.toFixed(4))));
    }
    points.push(point);
  }
  return points;
}

/**
 * The combinations of a sweep: the grid, crossed with `samples` random points over the ranges
 * when ranges are given. Parameters may not be both on the grid and in a range.
 */
export function combinationsOf(space: {
  readonly grid: readonly GridAxis[];
  readonly ranges: readonly SampleRange[];
  readonly samples?: number;
  readonly seed?: number;
}): ParamValues[] {
  noRepeats([...space.grid.map((a) => a.name), ...space.ranges.map((r) => r.name)]);
  const grid = expandGrid(space.grid);
  if (space.ranges.length === 0) return grid;
  if (space.samples === undefined || space.samples < 1)
    throw usage('--range needs --samples N', 'Say how many random points to draw, e.g. --samples 200.');
  const points = sampleRanges(space.ranges, space.samples, space.seed ?? 1);
  return grid.flatMap((fixed) => points.map((point) => ({ ...fixed, ...point })));
}
