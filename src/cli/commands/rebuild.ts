import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { PortfolioProjection } from '../../../projections/portfolio/portfolio-projection.ts';
import { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import { rebuildPortfolio } from '../../../projections/portfolio/rebuild-portfolio.ts';
import { portfolioStateHash } from '../../../projections/portfolio/state-hash.ts';
import { AvroSerde } from '../../serde/index.ts';
import type { CommandContext } from '../context.ts';
import { progressBar } from '../progress.ts';
import { withRuntime } from '../with-runtime.ts';

const INITIAL_CASH = 10_000;

/** Where the live portfolio projection keeps its store. */
export const portfolioStoreDir = (dataDir: string): string => resolve(dataDir, 'projections', 'portfolio');

export function rebuildCommand(context: () => CommandContext): Command {
  return new Command('rebuild')
    .description(
      "re-fold the portfolio from offset 0 into a fresh store and print its state hash (and the live store's, to compare)",
    )
    .option('--into <dir>', 'where the fresh store goes (default: <data-dir>/projections/rebuild-<time>)')
    .action(async (opts: { into?: string }) => {
      const ctx = context();
      await withRuntime(ctx, { access: 'write', command: 'rebuild', dataDir: true }, async (runtime) => {
        const serde = await AvroSerde.create(runtime.registry);
        const bar = progressBar('rebuild');
        const direct = await rebuildPortfolio(runtime.log, serde, INITIAL_CASH, {
          onProgress: (done) => bar.update(done, Math.max(done, 1)),
        });
        bar.stop();
        const into = opts.into ?? join(ctx.config.dataDir, 'projections', `rebuild-${Date.now()}`);
        const store = PortfolioStore.open(into);
        const projection = new PortfolioProjection({
          log: runtime.log,
          serde,
          store,
          initialCash: INITIAL_CASH,
          logger: ctx.logger,
        });
        await projection.start();
        while (!(await projection.caughtUp())) await new Promise((r) => setTimeout(r, 200));
        const rebuilt = portfolioStateHash(projection.current());
        await projection.stop();
        await store.close();
        console.log(
          `folded ${direct.orderEvents} order events and ${direct.bars} bars (${direct.skipped} skipped as invalid) from ${runtime.kind} (${runtime.location})`,
        );
        console.log(`rebuilt store ${into}: hash ${rebuilt}`);
        console.log(`direct fold:        hash ${direct.hash}`);
        const liveDir = portfolioStoreDir(ctx.config.dataDir);
        if (existsSync(join(liveDir, 'portfolio.mdb'))) {
          const live = PortfolioStore.open(liveDir);
          const liveHash = portfolioStateHash(live.load(INITIAL_CASH).state);
          await live.close();
          console.log(
            `live store ${liveDir}: hash ${liveHash} ${liveHash === rebuilt ? '(same)' : '(DIFFERENT: the live store is behind the log, or diverged)'}`,
          );
        }
        if (rebuilt !== direct.hash) process.exitCode = 1;
      });
    });
}
