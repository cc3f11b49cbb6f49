import { Command } from 'commander';
import { MARKET_DATA } from '../../contracts/index.ts';
import { importKlines, type ImportReport } from '../../ingest/import-klines.ts';
import { Publisher } from '../../messaging/index.ts';
import { prepareRuntime } from '../../runtime/index.ts';
import { AvroSerde } from '../../serde/index.ts';
import type { CommandContext } from '../context.ts';
import { timeUnitOption } from '../option-parsers.ts';
import { progressBar } from '../progress.ts';
import type { TimeUnit } from '../../time/index.ts';
import { withRuntime } from '../with-runtime.ts';

const MAX_LISTED = 20;
const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString());

function printReport(report: ImportReport): void {
  console.log(
    `${report.file}: ${report.symbol}, ${report.format} format, ${report.rows} rows: ${report.imported} imported, ` +
      `${report.alreadyPresent} already present, ${report.rejected.length} rejected` +
      (report.imported > 0 ? ` (${iso(report.first)} .. ${iso(report.last)})` : ''),
  );
  if (report.behindLog > 0)
    console.log(
      `  ${report.behindLog} bars NOT imported: older than the newest ${report.symbol} bar in the log and not in it; ` +
        "a symbol's bars stay in time order, so import older history first (into a fresh --data-dir if need be)",
    );
  for (const row of report.rejected.slice(0, MAX_LISTED)) console.log(`  line ${row.line}: ${row.reason}`);
  if (report.rejected.length > MAX_LISTED)
    console.log(`  ... and ${report.rejected.length - MAX_LISTED} more rejected rows`);
}

export function importCommand(context: () => CommandContext): Command {
  return new Command('import')
    .description(
      'import kline CSV files (data.binance.vision 12-column klines, or open_time,open,high,low,close,volume) into crypto.market_data',
    )
    .argument('<files...>')
    .option('-s, --symbol <symbol>', 'the pair, e.g. BTCUSDT (default: from the file name)')
    .option('--strict', 'stop at the first bad row instead of reporting it and going on')
    .addOption(timeUnitOption())
    .action(async (files: string[], opts: { symbol?: string; strict?: boolean; timeUnit?: TimeUnit }) => {
      const ctx = context();
      await withRuntime(ctx, { access: 'write', command: 'import' }, async (runtime) => {
        await prepareRuntime(runtime, ctx.config);
        const [topic] = await runtime.topicAdmin.describeTopics([MARKET_DATA]);
        const retentionMs = topic?.retentionMs ?? -1;
        const keptFrom = retentionMs < 0 ? undefined : Date.now() - retentionMs;
        const publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
        let rejected = 0;
        for (const file of files) {
          const bar = progressBar(`import ${file.split('/').at(-1)}`);
          try {
            const report = await importKlines(runtime.log, publisher, {
              file,
              ...(opts.symbol === undefined ? {} : { symbol: opts.symbol.toUpperCase() }),
              strict: opts.strict === true,
              ...(opts.timeUnit === undefined ? {} : { timeUnit: opts.timeUnit }),
              ...(keptFrom === undefined ? {} : { keptFrom }),
              onProgress: (done, total) => bar.update(done, total),
            });
            bar.stop();
            printReport(report);
            rejected += report.rejected.length + report.behindLog;
          } finally {
            bar.stop();
          }
        }
        if (rejected > 0) process.exitCode = 1;
      });
    });
}
