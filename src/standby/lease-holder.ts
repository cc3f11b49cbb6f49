/** A member of a lease group as the assigner sees it: its id, and the generation it took the lease in, if it holds it. */
export interface LeaseCandidate {
  readonly memberId: string;
  /** The group generation in which this member became the holder; absent for a standby. */
  readonly heldSince?: number;
}

/**
 * Who holds the lease after a rebalance: the member already holding it keeps it (a standby
 * joining never moves it); when two claim it (a paused holder rejoined before it noticed), the
 * later claim wins, as the earlier one was expired by the coordinator; with no claim, the first
 * member by id (deterministic).
 */
export function chooseHolder(members: readonly LeaseCandidate[]): string | undefined {
  let holder: LeaseCandidate | undefined;
  for (const member of members) {
    if (member.heldSince === undefined) continue;
    if (holder?.heldSince === undefined || member.heldSince > holder.heldSince) holder = member;
  }
  if (holder !== undefined) return holder.memberId;
  return [...members].map((m) => m.memberId).sort()[0];
}

/** A claim as carried in the member's join metadata: 8 bytes, the generation (absent: none). */
export const encodeClaim = (heldSince: number | undefined): Buffer => {
  if (heldSince === undefined) return Buffer.alloc(0);
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt(heldSince));
  return buffer;
};

export const decodeClaim = (userData: Buffer | null | undefined): number | undefined =>
  userData === null || userData === undefined || userData.length !== 8
    ? undefined
    : Number(userData.readBigInt64BE());
