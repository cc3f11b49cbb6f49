import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import {
  latestArtifacts,
  listArtifacts,
  modelsDirOf,
  readArtifact,
  renderModelReport,
} from '../../ml/index.ts';
import type { CommandContext } from '../context.ts';

export function modelReportCommand(context: () => CommandContext): Command {
  return new Command('model-report')
    .description(
      'write an HTML report of trained models: out-of-sample scores against baselines, confusion matrix, predicted vs actual, feature importances',
    )
    .argument(
      '[versions...]',
      'artifact versions (e.g. random_forest-trend-h48.v2) or files; default: the newest of every slot',
    )
    .option('--models-dir <dir>', 'where the artifacts are (default: ml.modelsDir or <data-dir>/models)')
    .option('-o, --out <dir>', 'where the reports go', 'reports')
    .action((versions: string[], opts: { modelsDir?: string; out: string }) => {
      const { config } = context();
      const modelsDir = opts.modelsDir ?? modelsDirOf(config);
      const all = listArtifacts(modelsDir);
      const paths =
        versions.length === 0
          ? [...latestArtifacts(modelsDir).values()].map((s) => s.path)
          : versions.map((v) => all.find((s) => `${s.slot}.v${s.version}` === v)?.path ?? v);
      if (paths.length === 0)
        throw new CmlError(ErrorCodes.USAGE, `No model artifact in ${modelsDir}`, {
          hint: 'Train one first: `npm run cli -- train <bars.csv>`.',
        });
      mkdirSync(opts.out, { recursive: true });
      for (const path of paths) {
        const artifact = readArtifact(path);
        const file = resolve(join(opts.out, `${artifact.version}.html`));
        writeFileSync(file, renderModelReport(artifact));
        console.log(file);
      }
    });
}
