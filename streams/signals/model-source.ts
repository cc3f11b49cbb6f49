import {
  activeFromOf,
  listArtifacts,
  readArtifact,
  type ModelArtifact,
  type StoredArtifact,
} from '../../src/ml/index.ts';

/** A version found in the models directory, with the event time it serves from. */
export interface FoundVersion {
  readonly version: string;
  readonly activeFrom: number;
}

interface Listed {
  readonly stored: StoredArtifact;
  readonly activeFrom: number;
}

/**
 * The artifacts to serve from the models directory. `refresh()` reads the directory (new files
 * only: a version's file never changes once it is there); `load(since, until)` gives, for each
 * wanted slot, the versions that can serve a bar between the two event times: the one live at
 * `since` (the newest whose `activeFrom` is at or before it) and the newer ones live by `until`.
 * Older versions can serve no bar from `since` on, and later ones none before `until`, so only
 * those in use are held in memory, however many versions a trainer has published.
 */
export class ModelSource {
  /** Per slot, newest first. */
  private bySlot = new Map<string, Listed[]>();
  private readonly known = new Set<string>();
  private loaded = new Set<string>();

  /** @param slots the slots to serve (`<model>-<target>-h<horizon>`); undefined: every slot found. */
  constructor(
    readonly modelsDir: string,
    private readonly slots?: readonly string[],
  ) {
    this.refresh();
  }

  /** Looks at the directory again; returns the versions found since the last look. */
  refresh(): FoundVersion[] {
    const found: FoundVersion[] = [];
    for (const stored of listArtifacts(this.modelsDir)) {
      if (this.known.has(stored.path)) continue;
      if (this.slots !== undefined && !this.slots.includes(stored.slot)) continue;
      const activeFrom = activeFromOf(readArtifact(stored.path));
      this.known.add(stored.path);
      const versions = this.bySlot.get(stored.slot) ?? [];
      versions.push({ stored, activeFrom });
      versions.sort((a, b) => b.stored.version - a.stored.version);
      this.bySlot.set(stored.slot, versions);
      found.push({ version: `${stored.slot}.v${stored.version}`, activeFrom });
    }
    return found;
  }

  private wanted(since: number, until: number): StoredArtifact[] {
    const wanted: StoredArtifact[] = [];
    for (const slot of [...this.bySlot.keys()].sort()) {
      const kept: StoredArtifact[] = [];
      for (const { stored, activeFrom } of this.bySlot.get(slot) as Listed[]) {
        if (activeFrom > until) continue;
        kept.push(stored);
        if (activeFrom <= since) break;
      }
      wanted.push(...kept.reverse());
    }
    return wanted;
  }

  /** Whether the versions for bars between `since` and `until` differ from those loaded last. */
  changed(since = Infinity, until = Infinity): boolean {
    const wanted = this.wanted(since, until);
    return wanted.length !== this.loaded.size || wanted.some((stored) => !this.loaded.has(stored.path));
  }

  /**
   * The versions for bars between `since` and `until` (event times), oldest first per slot. The
   * defaults give the newest version of each slot; `load(-Infinity)` gives every version.
   */
  load(since = Infinity, until = Infinity): ModelArtifact[] {
    const wanted = this.wanted(since, until);
    this.loaded = new Set(wanted.map((stored) => stored.path));
    return wanted.map((stored) => readArtifact(stored.path));
  }
}
