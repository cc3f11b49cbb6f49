import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { PortfolioProjection } from '../../../projections/portfolio/portfolio-projection.ts';
import { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import { rebuildPortfolio } from '../../../projections/portfolio/rebuild-portfolio.ts';
import { portfolioStateHash } from '../../../projections/portfolio/state-hash.ts';
import { MARKET_DATA, ORDERS } from '../../contracts/index.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import type { LogPort } from '../../log/port.ts';
import type { Logger } from '../../observability/logger.ts';
import { AvroSerde } from '../../serde/index.ts';
import type { CommandContext } from '../context.ts';
import { progressBar } from '../progress.ts';
import { withRuntime } from '../with-runtime.ts';

const INITIAL_CASH = 10_000;
/** A fold that has not moved for this long has stopped: the rebuild ends with an error. */
const STALL_MS = 30_000;
const PROGRESS_LOG_MS = 5_000;

/** Where the live portfolio projection keeps its store. */
export const portfolioStoreDir = (dataDir: string): string => resolve(dataDir, 'projections', 'portfolio');

/** Records the log holds for a topic (retention may have deleted the first ones). */
async function retained(log: LogPort, topic: string): Promise<{ records: number; deleted: number }> {
  const starts = await log.startOffsets(topic);
  let records = 0;
  let deleted = 0;
  for (const [partition, end] of await log.endOffsets(topic)) {
    const start = starts.get(partition) ?? 0;
    records += end - start;
    deleted += start;
  }
  return { records, deleted };
}

/**
 * The portfolio is a fold of the whole order log: with its first events deleted, no rebuild can
 * reproduce it, so the rebuild refuses rather than print a hash of something else.
 */
async function requireWholeOrderLog(log: LogPort, location: string): Promise<void> {
  const { deleted } = await retained(log, ORDERS);
  if (deleted === 0) return;
  throw new CmlError(
    ErrorCodes.LOG_INCOMPLETE,
    `${ORDERS} in ${location} no longer holds its first ${deleted} order events (deleted by retention): the portfolio cannot be rebuilt from the log`,
    {
      hint:
        'The live projection (projections/portfolio) keeps the portfolio folded before; do not drop it. ' +
        `Keep the whole ledger from now on: set the retention of ${ORDERS} to -1 in the topics setting (cml.config.json).`,
      details: { topic: ORDERS, deleted },
    },
  );
}

/** Waits for the projection to fold the log to its end, reporting progress; throws when it stops moving. */
async function waitUntilFolded(
  projection: PortfolioProjection,
  total: number,
  logger: Logger,
): Promise<void> {
  const bar = progressBar('fold into the rebuilt store');
  let best = Number.POSITIVE_INFINITY;
  let movedAt = Date.now();
  let loggedAt = Date.now();
  try {
    for (;;) {
      const lag = await projection.lag();
      bar.update(Math.max(0, total - lag), Math.max(total, lag));
      if (lag === 0) return;
      const now = Date.now();
      if (lag < best) {
        best = lag;
        movedAt = now;
      } else if (now - movedAt > STALL_MS) {
        throw new CmlError(
          ErrorCodes.LOG_INCOMPLETE,
          `The rebuild stopped with ${lag} records left to fold: nothing moved for ${STALL_MS / 1000} s`,
          { hint: 'Run `npm run cli -- verify` to check the log, and rebuild again with --log-level debug.' },
        );
      }
      if (now - loggedAt >= PROGRESS_LOG_MS) {
        logger.info({ folded: total - lag, total }, 'rebuild: folding into the rebuilt store');
        loggedAt = now;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    bar.stop();
  }
}

export function rebuildCommand(context: () => CommandContext): Command {
  return new Command('rebuild')
    .description(
      "re-fold the portfolio from offset 0 into a fresh store and print its state hash (and the live store's, to compare)",
    )
    .option('--into <dir>', 'where the fresh store goes (default: <data-dir>/projections/rebuild-<time>)')
    .action(async (opts: { into?: string }) => {
      const ctx = context();
      await withRuntime(
        ctx,
        { access: 'write', command: 'rebuild', stores: ['projections'] },
        async (runtime) => {
          await requireWholeOrderLog(runtime.log, runtime.location);
          const orders = await retained(runtime.log, ORDERS);
          const bars = await retained(runtime.log, MARKET_DATA);
          if (bars.deleted > 0)
            console.log(
              `note: retention deleted the first ${bars.deleted} records of ${MARKET_DATA}: marks only, which the hash does not cover`,
            );
          const total = orders.records + bars.records;
          const serde = await AvroSerde.create(runtime.registry);
          const bar = progressBar('rebuild');
          let loggedAt = Date.now();
          const direct = await rebuildPortfolio(runtime.log, serde, INITIAL_CASH, {
            onProgress: (done) => {
              bar.update(done, Math.max(done, total));
              if (Date.now() - loggedAt < PROGRESS_LOG_MS) return;
              ctx.logger.info({ folded: done, total }, 'rebuild: folding the log directly');
              loggedAt = Date.now();
            },
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
          try {
            await waitUntilFolded(projection, total, ctx.logger);
          } finally {
            await projection.stop();
          }
          const rebuilt = portfolioStateHash(projection.current());
          await store.close();
          console.log(
            `folded ${direct.orderEvents} order events and ${direct.bars} bars (${direct.skipped} skipped as invalid) from ${runtime.kind} (${runtime.location})`,
          );
          console.log(`rebuilt store ${into}: hash ${rebuilt}`);
          console.log(`direct fold:        hash ${direct.hash}`);
          const liveDir = portfolioStoreDir(ctx.config.dataDir);
          if (resolve(into) !== liveDir && existsSync(join(liveDir, 'portfolio.mdb'))) {
            const live = PortfolioStore.open(liveDir, { readOnly: true });
            const loaded = live.load(INITIAL_CASH);
            await live.close();
            const liveHash = portfolioStateHash(loaded.state);
            const ends = await runtime.log.endOffsets(ORDERS);
            const behind = [...ends].some(([p, end]) => (loaded.offsets.get(`${ORDERS}/${p}`) ?? 0) < end);
            console.log(
              `live store ${liveDir}: hash ${liveHash} ${
                liveHash === rebuilt
                  ? '(same)'
                  : behind
                    ? '(different: the live store has not folded the whole order log yet; the next start catches up)'
                    : '(DIFFERENT: the live store diverged from its log; drop it with `npm run cli -- projections drop portfolio`)'
              }`,
            );
            if (liveHash !== rebuilt && !behind) process.exitCode = 1;
          }
          if (rebuilt !== direct.hash) process.exitCode = 1;
        },
      );
    });
}
