import { Command } from 'commander';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import { listArtifacts, modelsDirOf, readArtifact, versionRows, type VersionRow } from '../../ml/index.ts';
import type { CommandContext } from '../context.ts';
import { isoInstant } from '../option-parsers.ts';

const iso = (ms: number): string =>
  Number.isFinite(ms) ? new Date(ms).toISOString().replace(':00.000Z', 'Z') : 'always';

const line = (row: VersionRow): string =>
  [
    row.version.padEnd(36),
    row.status.padEnd(10),
    iso(row.activeFrom).padEnd(18),
    `${iso(row.dataFrom)} .. ${iso(row.dataTo)}`.padEnd(38),
    `acc ${row.accuracy.toFixed(3)} (hold ${row.baselineAccuracy.toFixed(3)}) r2 ${row.r2.toFixed(3)}`.padEnd(
      36,
    ),
    row.offsets === undefined
      ? 'trained by hand'
      : `${row.code ?? ''} offsets ${Object.entries(row.offsets)
          .map(([partition, offset]) => `${partition}:${offset}`)
          .join(',')}`,
  ].join(' ');

/** `cml models`: every model version, with its provenance and whether it serves at a given time. */
export function modelsCommand(context: () => CommandContext): Command {
  return new Command('models')
    .description(
      'list model versions: status (live, pending, superseded, expired), activeFrom, data range, scores, code and log offsets',
    )
    .option('--models-dir <dir>', 'where the artifacts are (default: ml.modelsDir or <data-dir>/models)')
    .option(
      '--at <time>',
      'the event time the status is for (ISO 8601; default: now, or the newest bar a version was trained on when later, as in a simulation running ahead)',
      isoInstant,
    )
    .option('--json', 'one JSON object per version')
    .action((opts: { modelsDir?: string; at?: number; json?: boolean }) => {
      const { config } = context();
      const modelsDir = opts.modelsDir ?? modelsDirOf(config);
      const artifacts = listArtifacts(modelsDir).map((stored) => readArtifact(stored.path));
      if (artifacts.length === 0)
        throw new CmlError(ErrorCodes.USAGE, `No model artifact in ${modelsDir}`, {
          hint: 'Train one with `npm run cli -- train <bars.csv>`, or run the trainer service (`start`).',
        });
      const newestTrained = Math.max(...artifacts.map((artifact) => artifact.training.dataTo));
      const rows = versionRows(artifacts, opts.at ?? Math.max(Date.now(), newestTrained), config.ml.expiryMs);
      if (opts.json === true) {
        for (const row of rows) console.log(JSON.stringify(row));
        return;
      }
      console.log(
        `${'version'.padEnd(36)} ${'status'.padEnd(10)} ${'activeFrom'.padEnd(18)} ${'data'.padEnd(38)} ${'scores (out of sample)'.padEnd(36)} provenance`,
      );
      for (const row of rows) console.log(line(row));
    });
}
