import {
  latestArtifacts,
  readArtifact,
  type ModelArtifact,
  type StoredArtifact,
} from '../../src/ml/index.ts';

/**
 * The artifacts to serve: the newest version of each wanted slot in the models directory.
 * `changed()` tells whether a newer version (or a new wanted slot) appeared since the last load.
 */
export class ModelSource {
  private loaded = new Map<string, number>();

  /** @param slots the slots to serve (`<model>-<target>-h<horizon>`); undefined: every slot found. */
  constructor(
    readonly modelsDir: string,
    private readonly slots?: readonly string[],
  ) {}

  private wanted(): StoredArtifact[] {
    return [...latestArtifacts(this.modelsDir).values()]
      .filter((stored) => this.slots === undefined || this.slots.includes(stored.slot))
      .sort((a, b) => a.slot.localeCompare(b.slot));
  }

  changed(): boolean {
    const wanted = this.wanted();
    return (
      wanted.length !== this.loaded.size ||
      wanted.some((stored) => this.loaded.get(stored.slot) !== stored.version)
    );
  }

  load(): ModelArtifact[] {
    const wanted = this.wanted();
    const artifacts = wanted.map((stored) => readArtifact(stored.path));
    this.loaded = new Map(wanted.map((stored) => [stored.slot, stored.version]));
    return artifacts;
  }
}
