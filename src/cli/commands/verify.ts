import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { ORDERS } from '../../contracts/index.ts';
import {
  checkLmdbFile,
  claimDataDir,
  dataDirWriters,
  dataDirStores,
  type DataDirStore,
  type ProjectionName,
} from '../../data-dir/index.ts';
import { EmbeddedLog } from '../../log/embedded/embedded-log.ts';
import { EmbeddedStore } from '../../log/embedded/embedded-store.ts';
import { verifyEmbeddedLog, type PartitionSummary } from '../../log/embedded/verify-embedded-log.ts';
import { AvroSerde, embeddedRegistry } from '../../serde/index.ts';
import { CandleStore } from '../../../projections/candles/index.ts';
import { PortfolioStore } from '../../../projections/portfolio/portfolio-store.ts';
import { rebuildPortfolio } from '../../../projections/portfolio/rebuild-portfolio.ts';
import { portfolioStateHash } from '../../../projections/portfolio/state-hash.ts';
import { SignalStore } from '../../../projections/signals/index.ts';
import type { Config } from '../../config/index.ts';
import type { CommandContext } from '../context.ts';
import { progressBar } from '../progress.ts';

/** What `verify` found; any problem makes it exit 1. */
interface Findings {
  problems: number;
}

const report = (findings: Findings, what: string, problems: readonly string[], hint?: string): void => {
  if (problems.length === 0) {
    console.log(`ok       ${what}`);
    return;
  }
  findings.problems += problems.length;
  console.log(`DAMAGED  ${what}`);
  for (const problem of problems) console.log(`           ${problem}`);
  if (hint !== undefined) console.log(`         -> ${hint}`);
};

/** The next offset a projection store says it has folded, per `topic/partition`. */
async function projectionOffsets(
  name: ProjectionName,
  dir: string,
  initialCash: number,
): Promise<Map<string, number>> {
  const options = { readOnly: true, walk: false };
  if (name === 'portfolio') {
    const store = PortfolioStore.open(dir, options);
    try {
      return store.load(initialCash).offsets;
    } finally {
      await store.close();
    }
  }
  const store = name === 'signals' ? SignalStore.open(dir, options) : CandleStore.open(dir, options);
  try {
    return store.offsets();
  } finally {
    await store.close();
  }
}

/** A projection's offsets against the log: never past a partition's end (it was folded from another log). */
function projectionProblems(
  offsets: ReadonlyMap<string, number>,
  partitions: readonly PartitionSummary[],
): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  for (const [position, next] of offsets) {
    const summary = partitions.find((p) => `${p.topic}/${p.partition}` === position);
    if (summary === undefined) continue; // a topic of its own (an isolated run): not this log's
    if (next > summary.end)
      problems.push(`it has folded ${position} up to offset ${next}, past the log's end ${summary.end}`);
    else if (next < summary.start)
      notes.push(`${position}: offsets ${next}..${summary.start - 1} were deleted before it folded them`);
  }
  return { problems, notes };
}

async function verifyDataDir(config: Config, beside: boolean): Promise<Findings> {
  const findings: Findings = { problems: 0 };
  const stores = dataDirStores(config.dataDir);
  if (stores.length === 0) console.log(`no stores in ${config.dataDir}`);
  const sound = new Map<string, DataDirStore>();
  for (const store of stores) {
    const { problems, pagesWalked, fileBytes } = checkLmdbFile(store.file, { walk: !beside });
    const detail = beside ? `${fileBytes} bytes, header` : `${fileBytes} bytes, ${pagesWalked} pages walked`;
    report(findings, `${store.file} (${detail})`, problems, store.identity.whenDamaged);
    if (problems.length === 0) sound.set(store.file, store);
  }
  const logFile = resolve(config.dataDir, 'embedded', 'ledger.mdb');
  if (config.runtime === 'kafka') {
    console.log('the log is on Kafka: its records are not checked here');
    return findings;
  }
  if (!sound.has(logFile)) return findings;

  const store = EmbeddedStore.open(dirname(logFile), { readOnly: true, walk: false });
  try {
    const serde = await AvroSerde.create(embeddedRegistry(store, config.registry.compatibility));
    const bar = progressBar('verify records');
    const log = await verifyEmbeddedLog(store, {
      decode: async (_topic, value) => void (await serde.decodeAny(value)),
      onProgress: (done) => bar.update(done, Math.max(done, 1)),
    });
    bar.stop();
    const records = log.partitions.reduce((sum, p) => sum + p.records, 0);
    report(
      findings,
      `the embedded log: ${records} records in ${log.partitions.length} partitions, offsets dense, records decodable, groups within the log`,
      log.problems,
      'The log cannot be rebuilt: restore the data directory from a backup or copy, or start over on a fresh --data-dir.',
    );
    for (const projection of [...sound.values()].filter((s) => s.kind === 'projection')) {
      const dir = dirname(projection.file);
      const name = projection.file.endsWith('portfolio.mdb')
        ? 'portfolio'
        : projection.file.endsWith('signals.mdb')
          ? 'signals'
          : 'candles';
      const { problems, notes } = projectionProblems(
        await projectionOffsets(name, dir, config.exchange.initialCash),
        log.partitions,
      );
      report(findings, `${dir}: offsets within the log`, problems, projection.identity.whenDamaged);
      for (const note of notes) console.log(`note     ${note}`);
      if (name === 'portfolio' && problems.length === 0)
        await compareHash(findings, dir, store, serde, log.partitions, config, beside);
    }
  } finally {
    await store.close();
  }
  return findings;
}

/** The portfolio projection's state hash against a fold of the log, when it has folded all of it. */
async function compareHash(
  findings: Findings,
  dir: string,
  store: EmbeddedStore,
  serde: AvroSerde,
  partitions: readonly PartitionSummary[],
  config: Config,
  beside: boolean,
): Promise<void> {
  const orders = partitions.filter((p) => p.topic === ORDERS);
  const portfolio = PortfolioStore.open(dir, { readOnly: true, walk: false });
  try {
    const { state, offsets } = portfolio.load(config.exchange.initialCash);
    const behind = orders.some((p) => (offsets.get(`${p.topic}/${p.partition}`) ?? 0) !== p.end);
    if (beside || behind || orders.some((p) => p.start > 0)) {
      const why = beside
        ? 'the owner is running'
        : behind
          ? 'it has not folded the whole order log'
          : 'the order log no longer starts at offset 0';
      console.log(`note     ${dir}: state hash not compared (${why})`);
      return;
    }
    const stored = portfolioStateHash(state);
    const folded = await rebuildPortfolio(new EmbeddedLog(store), serde, config.exchange.initialCash);
    report(
      findings,
      `${dir}: state hash ${stored} equals a fold of the log`,
      stored === folded.hash ? [] : [`the log folds to ${folded.hash}`],
      'Drop the projection (`npm run cli -- projections drop portfolio`); the next start folds it again from the log.',
    );
  } finally {
    await portfolio.close();
  }
}

export function verifyCommand(context: () => CommandContext): Command {
  return new Command('verify')
    .description(
      'check the data directory: every LMDB file page by page, the log (dense offsets, decodable records), projections within the log, the portfolio state hash; exit 1 on damage',
    )
    .action(async () => {
      const { config } = context();
      if (!existsSync(config.dataDir)) {
        console.log(`no data directory at ${config.dataDir}`);
        process.exitCode = 1;
        return;
      }
      const holders = dataDirWriters(config.dataDir);
      // Another verify holds the directory only to read: it vouches for no page.
      const writers = holders.filter((holder) => holder.readsOnly !== true);
      for (const writer of writers)
        console.log(
          `pid ${writer.pid} (${writer.command}) writes to ${config.dataDir}${writer.scope === undefined ? '' : ` (its ${writer.scope} store)`}: ` +
            'checking beside it read-only, headers only (it walked the pages when it opened them)',
        );
      // Held, the lock keeps a writer from starting (and writing) in the middle of the walk.
      const claim =
        holders.length === 0
          ? claimDataDir(config.dataDir, 'verify', undefined, { readsOnly: true })
          : undefined;
      try {
        const { problems } = await verifyDataDir(config, writers.length > 0);
        console.log(
          problems === 0
            ? 'verify: no damage found'
            : `verify: ${problems} problem${problems === 1 ? '' : 's'} found: nothing was written`,
        );
        if (problems > 0) process.exitCode = 1;
      } finally {
        claim?.release();
      }
    });
}
