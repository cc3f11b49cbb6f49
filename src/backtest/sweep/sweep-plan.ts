import type { Config } from '../../config/index.ts';
import { configEnv } from '../../config/index.ts';
import { decisionSettingsOf, type DecisionSettings } from '../../../streams/decision/index.ts';
import { configWith, envOf, type ParamValues, type SweepParam } from './sweep-params.ts';

export const RULE_MODEL = 'ma_rsi_rule:trend';

/** The rule's thresholds a tape is built with. */
export interface RuleThresholds {
  readonly buyRsiBelow: number;
  readonly sellRsiAbove: number;
}

/** A signal tape to build: the models served (`<model>:<target>`) and, when the rule is one of them, its thresholds. */
export interface TapeSpec {
  readonly key: string;
  readonly models: readonly string[];
  readonly rule?: RuleThresholds;
}

/** One backtest of the sweep: a tape and the decision settings it is traded with. */
export interface SweepRow {
  /** 1-based, in the order the combinations were planned. */
  readonly id: number;
  /** Key of the row's TapeSpec. */
  readonly tape: string;
  readonly models: readonly string[];
  /** The varied parameters' values. */
  readonly values: ParamValues;
  readonly decision: DecisionSettings;
}

export interface SweepPlan {
  readonly rows: readonly SweepRow[];
  readonly tapes: readonly TapeSpec[];
  /** The parameters that vary, in the order given. */
  readonly params: readonly SweepParam[];
}

const tapeKeyOf = (models: readonly string[], rule: RuleThresholds | undefined): string =>
  rule === undefined
    ? models.join(',')
    : `${models.join(',')}|rsi<${rule.buyRsiBelow}|rsi>${rule.sellRsiAbove}`;

/** A row and its tape: the combination applied to the configuration, validated. */
export function rowOf(
  config: Config,
  id: number,
  models: readonly string[],
  values: ParamValues,
): { row: SweepRow; tape: TapeSpec } {
  const applied = configWith(config, values, models);
  const rule = models.includes(RULE_MODEL) ? { ...applied.ml.rule } : undefined;
  const key = tapeKeyOf(models, rule);
  return {
    row: { id, tape: key, models, values, decision: decisionSettingsOf(applied.decision) },
    tape: { key, models: [...models], ...(rule === undefined ? {} : { rule }) },
  };
}

/**
 * Every row of a sweep: each model set crossed with each combination, validated as the
 * configuration would be. Rows sharing a model set and rule thresholds share a tape, built once.
 */
export function planSweep(
  config: Config,
  modelSets: readonly (readonly string[])[],
  combinations: readonly ParamValues[],
): SweepPlan {
  const params = [...new Set(combinations.flatMap((c) => Object.keys(c) as SweepParam[]))];
  const tapes = new Map<string, TapeSpec>();
  const rows: SweepRow[] = [];
  for (const models of modelSets)
    for (const values of combinations) {
      const { row, tape } = rowOf(config, rows.length + 1, models, values);
      if (!tapes.has(tape.key)) tapes.set(tape.key, tape);
      rows.push(row);
    }
  return { rows, tapes: [...tapes.values()], params };
}

/** What a row's replay needs beyond the configuration: the file and the train share `cml backtest` takes. */
export interface ReplayTarget {
  readonly file: string;
  readonly trainShare: number;
  readonly symbol?: string;
}

/** The environment `cml backtest` needs (on top of the sweep's own configuration) to trade a row. */
export function replayEnvOf(row: Pick<SweepRow, 'models' | 'values'>): Record<string, string> {
  const env: Record<string, string> = { [configEnv['ml.models']]: row.models.join(',') };
  for (const [name, value] of Object.entries(row.values) as [SweepParam, number][])
    env[envOf(name)] = String(value);
  return env;
}

const quoted = (text: string): string =>
  /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * The `cml backtest` command that replays a row as a full backtest with the same trades, run with
 * the same configuration (file, environment) as the sweep.
 */
export function replayCommandOf(row: SweepRow, target: ReplayTarget): string {
  const env = Object.entries(replayEnvOf(row)).map(([k, v]) => `${k}=${quoted(v)}`);
  const args = ['backtest', quoted(target.file), '--train-share', String(target.trainShare)];
  if (target.symbol !== undefined) args.push('--symbol', target.symbol);
  return [...env, 'npm', 'run', 'cli', '--', ...args].join(' ');
}
