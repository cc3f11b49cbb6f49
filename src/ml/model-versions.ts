import { activeFromOf, reportedScores, versionNumberOf, type ModelArtifact } from './artifact.ts';

/** Where a version stands at a given event time. */
export type VersionStatus = 'live' | 'pending' | 'superseded' | 'expired';

export interface VersionRow {
  readonly slot: string;
  readonly version: string;
  readonly status: VersionStatus;
  readonly activeFrom: number;
  readonly dataFrom: number;
  readonly dataTo: number;
  /** Offsets read up to, per partition, for versions the trainer made. */
  readonly offsets?: Record<string, number>;
  readonly code?: string;
  readonly r2: number;
  readonly mae: number;
  readonly accuracy: number;
  readonly baselineAccuracy: number;
}

/**
 * Every version of every slot, oldest first per slot, with its status at `at`: `live` (the newest
 * whose activeFrom <= at: what serves a bar at that time), `expired` (live but older than the
 * expiry, so its signals say HOLD), `pending` (activeFrom still to come) or `superseded`.
 */
export function versionRows(artifacts: readonly ModelArtifact[], at: number, expiryMs = 0): VersionRow[] {
  const bySlot = new Map<string, ModelArtifact[]>();
  for (const artifact of artifacts)
    bySlot.set(artifact.slot, [...(bySlot.get(artifact.slot) ?? []), artifact]);
  const rows: VersionRow[] = [];
  for (const slot of [...bySlot.keys()].sort()) {
    const versions = (bySlot.get(slot) as ModelArtifact[]).sort(
      (a, b) => versionNumberOf(a.version) - versionNumberOf(b.version),
    );
    const live = [...versions].reverse().find((artifact) => activeFromOf(artifact) <= at);
    for (const artifact of versions) {
      const activeFrom = activeFromOf(artifact);
      const status: VersionStatus =
        activeFrom > at
          ? 'pending'
          : artifact !== live
            ? 'superseded'
            : expiryMs > 0 && at - artifact.training.dataTo > expiryMs
              ? 'expired'
              : 'live';
      const provenance = artifact.provenance;
      const { r2, mae } = reportedScores(artifact);
      rows.push({
        slot,
        version: artifact.version,
        status,
        activeFrom,
        dataFrom: provenance?.dataFrom ?? artifact.training.dataFrom,
        dataTo: provenance?.dataTo ?? artifact.training.dataTo,
        ...(provenance === undefined ? {} : { offsets: provenance.offsets }),
        ...(provenance === undefined
          ? {}
          : {
              code: `${provenance.code.packageVersion}${provenance.code.gitCommit === undefined ? '' : `@${provenance.code.gitCommit.slice(0, 10)}`}`,
            }),
        r2,
        mae,
        accuracy: artifact.metrics.signal.accuracy,
        baselineAccuracy: artifact.baselines.lastPrice.signal.accuracy,
      });
    }
  }
  return rows;
}
