/** The broker's answers to a producer whose transactional id a newer producer took. */
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
const FENCED_CODES = new Set([47, 90]);

/** Whether a kafkajs failure (or one it wraps, as retries do) says this producer is fenced. */
export function isFencedError(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const { type, code } = current as { type?: unknown; code?: unknown };
    if (
      (typeof type === 'string' && FENCED_TYPES.has(type)) ||
      (typeof code === 'number' && FENCED_CODES.has(code))
    )
      return true;
    const next = current as { cause?: unknown; originalError?: unknown };
    current = next.originalError ?? next.cause;
  }
  return false;
}
