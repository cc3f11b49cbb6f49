import { fileURLToPath } from 'node:url';
import type { Config } from '../config/index.ts';
import { CmlError, ErrorCodes } from '../errors/index.ts';
import {
  latestArtifacts,
  modelSpecsOf,
  modelsDirOf,
  readBarsFile,
  servedSlotsOf,
  trainModels,
  trainSettingsOf,
  type TrainProgress,
} from '../ml/index.ts';

/**
 * Real BTCUSDT 5-minute candles (Binance, January–February 2023) that ship with the project: what
 * the first run trains its models on when the models directory has none.
 */
export const SEED_CANDLES = fileURLToPath(
  new URL('../../test/fixtures/btcusdt-5m-2023-01-02_2023-02-09.csv', import.meta.url),
);

/**
 * Makes sure every model the signals processor serves has an artifact: the missing ones are
 * trained on the seed candles (the features are scale-free, so they apply to any pair).
 * Returns the slots it trained.
 */
export function ensureModels(config: Config, onProgress?: (progress: TrainProgress) => void): string[] {
  const modelsDir = modelsDirOf(config);
  const present = latestArtifacts(modelsDir);
  const served = servedSlotsOf(config);
  const missing = modelSpecsOf(config).filter((_, n) => !present.has(served[n] as string));
  if (missing.length === 0) return [];
  const { bars } = readBarsFile(SEED_CANDLES, 'BTCUSDT');
  if (bars.length === 0)
    throw new CmlError(ErrorCodes.USAGE, `No seed candles at ${SEED_CANDLES}`, {
      hint: 'Train models with `cml train <kline csv>` first.',
    });
  trainModels({
    bars,
    modelsDir,
    specs: missing,
    settings: trainSettingsOf(config),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  return missing.map((spec) => `${spec.model}:${spec.target}`);
}
