import {
  activeFromOf,
  listArtifacts,
  readArtifact,
  type ModelArtifact,
  type StoredArtifact,
} from '../../src/ml/index.ts';

/**
 * The artifacts to serve from the models directory: for each wanted slot, the version live at a
 * given event time (the newest whose `activeFrom` is at or before it) and every newer version,
 * whose time may still come. Older versions can serve no bar from that time on and are not kept.
 * `changed(since)` tells whether that set differs from the one last loaded.
 */
export class ModelSource {
  private loaded = new Set<string>();
  /** Each file's activeFrom, read once: a version's file never changes once it is there. */
  private readonly activeFrom = new Map<string, number>();

  /** @param slots the slots to serve (`<model>-<target>-h<horizon>`); undefined: every slot found. */
  constructor(
    readonly modelsDir: string,
    private readonly slots?: readonly string[],
  ) {}

  private activeFromOf(stored: StoredArtifact): number {
    let from = this.activeFrom.get(stored.path);
    if (from === undefined) {
      from = activeFromOf(readArtifact(stored.path));
      this.activeFrom.set(stored.path, from);
    }
    return from;
  }

  private wanted(since: number): StoredArtifact[] {
    const bySlot = new Map<string, StoredArtifact[]>();
    for (const stored of listArtifacts(this.modelsDir)) {
      if (this.slots !== undefined && !this.slots.includes(stored.slot)) continue;
      const versions = bySlot.get(stored.slot) ?? [];
      versions.push(stored);
      bySlot.set(stored.slot, versions);
    }
    const wanted: StoredArtifact[] = [];
    for (const slot of [...bySlot.keys()].sort()) {
      const newestFirst = (bySlot.get(slot) as StoredArtifact[]).sort((a, b) => b.version - a.version);
      const kept: StoredArtifact[] = [];
      for (const stored of newestFirst) {
        kept.push(stored);
        if (this.activeFromOf(stored) <= since) break;
      }
      wanted.push(...kept.reverse());
    }
    return wanted;
  }

  /** @param since the earliest event time still to be served (default: any). */
  changed(since = -Infinity): boolean {
    const wanted = this.wanted(since);
    return wanted.length !== this.loaded.size || wanted.some((stored) => !this.loaded.has(stored.path));
  }

  /** The versions to serve from `since` on (default: every version of each slot), oldest first per slot. */
  load(since = -Infinity): ModelArtifact[] {
    const wanted = this.wanted(since);
    const artifacts = wanted.map((stored) => readArtifact(stored.path));
    this.loaded = new Set(wanted.map((stored) => stored.path));
    return artifacts;
  }
}
