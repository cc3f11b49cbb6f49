import { CmlError, ErrorCodes } from '../errors/index.ts';
import { MODEL_KINDS, type ModelKind } from './artifact.ts';
import { TARGETS, type Target } from './dataset.ts';
import { supportsTarget } from './train.ts';

/** The MA/RSI rule, served beside the ML models unless `--no-rule`. */
export const RULE_MODEL = 'ma_rsi_rule:trend';

const KNOWN =
  'random_forest:price, random_forest:price_change, random_forest:trend, svm:trend, logistic_regression:trend, gradient_boosting:trend, ma_rsi_rule:trend';

/**
 * The models that trade, as `npm start` and `cml backtest` choose them: `models` (or the
 * configured list), with the rule added, or taken out with `rule: false`.
 */
export function chooseModels(
  configured: readonly string[],
  choice: { readonly models?: readonly string[]; readonly rule: boolean },
): string[] {
  const listed = (choice.models ?? configured).map((entry) => entry.trim()).filter((e) => e !== '');
  for (const entry of listed) {
    const [model, target] = entry.split(':') as [ModelKind, Target];
    if (!MODEL_KINDS.includes(model) || !TARGETS.includes(target) || !supportsTarget(model, target))
      throw new CmlError(ErrorCodes.USAGE, `Unknown model "${entry}"`, { hint: `Models: ${KNOWN}.` });
  }
  const models = [...new Set(listed)].filter((entry) => choice.rule || entry !== RULE_MODEL);
  if (choice.rule && !models.includes(RULE_MODEL)) models.push(RULE_MODEL);
  if (models.length === 0)
    throw new CmlError(ErrorCodes.USAGE, 'No model left to trade', {
      hint: `Name one with --models (${KNOWN}) or drop --no-rule.`,
    });
  return models;
}
