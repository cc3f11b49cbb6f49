import { configEnv, configSchema, type Config } from '../../config/index.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';

/** Decision settings a sweep can vary: keys of the `decision` configuration section. */
export const DECISION_PARAMS = [
  'stopLossPct',
  'takeProfitPct',
  'buyThresholdPct',
  'minConfidence',
  'highConfidence',
  'positionSizePct',
  'maxPositionPct',
  'cooldownMs',
  'maxDrawdownPct',
] as const;

/** The MA/RSI rule's thresholds (`ml.rule`): each distinct pair is a signal tape of its own. */
export const RULE_PARAMS = ['buyRsiBelow', 'sellRsiAbove'] as const;

export type DecisionParam = (typeof DECISION_PARAMS)[number];
export type RuleParam = (typeof RULE_PARAMS)[number];
export type SweepParam = DecisionParam | RuleParam;

export const SWEEP_PARAMS: readonly SweepParam[] = [...DECISION_PARAMS, ...RULE_PARAMS];

/** Parameters whose values are whole numbers (sampled as integers). */
const INTEGER_PARAMS: ReadonlySet<SweepParam> = new Set(['cooldownMs']);

export const isRuleParam = (name: SweepParam): name is RuleParam =>
  (RULE_PARAMS as readonly string[]).includes(name);

export const isIntegerParam = (name: SweepParam): boolean => INTEGER_PARAMS.has(name);

/** The configuration key a parameter sets, e.g. `decision.stopLossPct`, `ml.rule.buyRsiBelow`. */
export const configKeyOf = (name: SweepParam): keyof typeof configEnv =>
  isRuleParam(name) ? `ml.rule.${name}` : `decision.${name}`;

/** The environment variable that sets a parameter for `cml backtest`. */
export const envOf = (name: SweepParam): string => configEnv[configKeyOf(name)];

export function sweepParamOf(name: string): SweepParam {
  if ((SWEEP_PARAMS as readonly string[]).includes(name)) return name as SweepParam;
  throw new CmlError(ErrorCodes.USAGE, `${name} is not a parameter a sweep can vary`, {
    hint: `Use one of ${SWEEP_PARAMS.join(', ')}.`,
  });
}

/** One combination: a value per varied parameter. */
export type ParamValues = Readonly<Partial<Record<SweepParam, number>>>;

/**
 * The configuration with a combination applied, validated as the configuration is at start-up,
 * so a value `cml backtest` would refuse (a positive stop-loss, minConfidence above
 * highConfidence, an unknown model) is refused here too, naming the key.
 */
export function configWith(config: Config, values: ParamValues, models?: readonly string[]): Config {
  const decision: Record<string, unknown> = { ...config.decision };
  const rule: Record<string, unknown> = { ...config.ml.rule };
  for (const [name, value] of Object.entries(values) as [SweepParam, number][]) {
    if (isRuleParam(name)) rule[name] = value;
    else decision[name] = value;
  }
  const checked = configSchema.safeParse({
    ...config,
    decision,
    ml: { ...config.ml, rule, ...(models === undefined ? {} : { models }) },
  });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const key = issue?.path.join('.') ?? '?';
    throw new CmlError(
      ErrorCodes.USAGE,
      `${key}: ${issue?.message ?? 'invalid'} (in the combination ${JSON.stringify(values)}${models === undefined ? '' : ` with the models ${models.join(',')}`})`,
      { hint: 'Change the values given to --grid, --range or --models.' },
    );
  }
  return checked.data;
}
