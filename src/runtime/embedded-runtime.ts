import { resolve } from 'node:path';
import type { Config } from '../config/index.ts';
import { EmbeddedLog } from '../log/embedded/embedded-log.ts';
import { EmbeddedStore } from '../log/embedded/embedded-store.ts';
import { embeddedTopicAdmin, listEmbeddedTopics } from '../log/embedded/embedded-topic-admin.ts';
import { embeddedRegistry } from '../serde/index.ts';
import type { Runtime } from './runtime.ts';

export interface EmbeddedRuntime extends Runtime {
  readonly kind: 'embedded';
  readonly log: EmbeddedLog;
  readonly store: EmbeddedStore;
}

/** The whole runtime in this process, in an LMDB environment under `dataDir`. */
/** How often the embedded log deletes records past their topic's retention, as Kafka's broker would. */
const RETENTION_CHECK_MS = 10 * 60_000;

export function openEmbeddedRuntime(config: Config): EmbeddedRuntime {
  const path = resolve(config.dataDir, 'embedded');
  const store = EmbeddedStore.open(path);
  const log = new EmbeddedLog(store);
  const enforce = (): void => void log.enforceRetention(Date.now()).catch(() => undefined);
  enforce();
  const retention = setInterval(enforce, RETENTION_CHECK_MS).unref();
  return {
    kind: 'embedded',
    location: path,
    store,
    log,
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
      clearInterval(retention);
      await log.close();
      await store.close();
    },
  };
}
