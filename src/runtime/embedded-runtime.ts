import { resolve } from 'node:path';
import type { Config } from '../config/index.ts';
import { claimDataDir, dataDirOwner, type DataDirOwner } from '../data-dir/index.ts';
import { EmbeddedLog } from '../log/embedded/embedded-log.ts';
import { EmbeddedStore } from '../log/embedded/embedded-store.ts';
import { embeddedTopicAdmin, listEmbeddedTopics } from '../log/embedded/embedded-topic-admin.ts';
import { embeddedRegistry } from '../serde/index.ts';
import type { Runtime } from './runtime.ts';

export interface EmbeddedRuntime extends Runtime {
  readonly kind: 'embedded';
  readonly log: EmbeddedLog;
  readonly store: EmbeddedStore;
  /** Opened read-only beside this process that owns the data directory, if one did. */
  readonly readingBeside?: DataDirOwner;
}

export interface OpenEmbeddedOptions {
  /**
   * `write` (default) claims the data directory (see `claimDataDir`), walks the log's pages and
   * applies retention; `read` maps the log read-only and writes nothing, beside a running owner too.
   */
  readonly access?: 'write' | 'read';
  /** Names this process in the data directory's lock file. */
  readonly command?: string;
}

/** How often the embedded log deletes records past their topic's retention, as Kafka's broker would. */
const RETENTION_CHECK_MS = 10 * 60_000;

/** The whole runtime in this process, in an LMDB environment under `dataDir`. */
export function openEmbeddedRuntime(config: Config, options: OpenEmbeddedOptions = {}): EmbeddedRuntime {
  const path = resolve(config.dataDir, 'embedded');
  if (options.access === 'read') {
    const owner = dataDirOwner(config.dataDir);
    // Beside a writer that walked the pages when it opened them, the headers suffice.
    const store = EmbeddedStore.open(path, { readOnly: true, walk: owner?.checked !== true });
    return runtimeOf(config, store, () => Promise.resolve(), owner);
  }
  const claim = claimDataDir(config.dataDir, options.command ?? process.argv.slice(2).join(' '));
  let store: EmbeddedStore;
  try {
    store = EmbeddedStore.open(path);
  } catch (error) {
    claim.release();
    throw error;
  }
  claim.vouch();
  const log = new EmbeddedLog(store);
  // Only a log that passed the check at open is written to.
  const enforce = (): void => void log.enforceRetention(Date.now()).catch(() => undefined);
  enforce();
  const retention = setInterval(enforce, RETENTION_CHECK_MS).unref();
  return runtimeOf(
    config,
    store,
    () => {
      clearInterval(retention);
      claim.release();
      return Promise.resolve();
    },
    undefined,
    log,
  );
}

function runtimeOf(
  config: Config,
  store: EmbeddedStore,
  onClosed: () => Promise<void>,
  owner: DataDirOwner | undefined,
  log = new EmbeddedLog(store),
): EmbeddedRuntime {
  return {
    kind: 'embedded',
    location: store.path,
    store,
    log,
    ...(owner === undefined ? {} : { readingBeside: owner }),
    topicAdmin: embeddedTopicAdmin(store),
    registry: embeddedRegistry(store, config.registry.compatibility),
    listTopics: () => Promise.resolve(listEmbeddedTopics(store).map((t) => t.name)),
    listGroups() {
      const groups = new Set<string>();
      for (const { key } of store.meta.getRange({ start: ['group'], end: ['group\u0000'] }))
        groups.add(key[1] as string);
      return Promise.resolve([...groups].sort());
    },
    async close() {
      await log.close();
      await store.close();
      await onClosed();
    },
  };
}
