import { Command } from 'commander';
import { checkLookahead, cutPoints } from '../../backtest/lookahead-check.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import { latestArtifacts, modelsDirOf, readBarsFile, readArtifact } from '../../ml/index.ts';
import { createSignalEngine } from '../../../streams/signals/index.ts';
import type { CommandContext } from '../context.ts';
import { boundedNumber } from '../option-parsers.ts';

const count = boundedNumber({ min: 1, max: 1_000, integer: true });

/** `cml lookahead <file>`: do the served models' signals change when the future is added? */
export function lookaheadCommand(context: () => CommandContext): Command {
  return new Command('lookahead')
    .description(
      'check that no model or feature uses future data: signals from truncated histories must equal those from the full history',
    )
    .argument('<file>', 'kline CSV file (the formats `import` reads)')
    .option('-s, --symbol <symbol>', 'the pair, e.g. BTCUSDT (default: from the file name)')
    .option('--cuts <n>', 'how many truncated histories to compare', count, 5)
    .action((file: string, opts: { symbol?: string; cuts: number }) => {
      const ctx = context();
      const stored = [...latestArtifacts(modelsDirOf(ctx.config)).values()];
      if (stored.length === 0)
        throw new CmlError(ErrorCodes.USAGE, `No model artifacts in ${modelsDirOf(ctx.config)}`, {
          hint: 'Train some first: npm run cli -- train <kline csv>.',
        });
      const artifacts = stored.map((s) => readArtifact(s.path));
      const { bars } = readBarsFile(file, opts.symbol);
      const report = checkLookahead(
        bars,
        (history) => {
          const engine = createSignalEngine(artifacts);
          return history.flatMap((bar) => engine.onBar(bar));
        },
        cutPoints(bars.length, opts.cuts, Math.floor(bars.length / 10)),
      );
      console.log(
        `${artifacts.length} models, ${bars.length} bars, cuts at ${report.cuts.join(', ')}: ${report.compared} signals compared, ${report.mismatches.length} changed when the future was added`,
      );
      for (const m of report.mismatches.slice(0, 10))
        console.log(
          `  cut ${m.cut}: ${new Date(m.time).toISOString()} ${m.symbol} ${m.model}: truncated ${JSON.stringify(m.truncated?.expected_change_pct)} vs full ${JSON.stringify(m.full?.expected_change_pct)}`,
        );
      if (report.mismatches.length > 0) process.exitCode = 1;
    });
}
