import type { TopicMessages } from 'kafkajs';

/**
 * Below the broker's default 1 MB `message.max.bytes` with room to spare: a produce request
 * carrying more is refused whole, so larger appends are split (inside one transaction).
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

const sizeOf = (message: TopicMessages['messages'][number]): number => {
  let size =
    70 + (typeof message.key === 'string' ? Buffer.byteLength(message.key) : (message.key?.length ?? 0));
  size +=
    message.value === null
      ? 0
      : typeof message.value === 'string'
        ? Buffer.byteLength(message.value)
        : message.value.length;
  for (const [name, value] of Object.entries(message.headers ?? {}))
    size += name.length + String(value).length;
  return size;
};

export const estimatedBytes = (topicMessages: readonly TopicMessages[]): number =>
  topicMessages.reduce((total, t) => total + t.messages.reduce((sum, m) => sum + sizeOf(m), 0), 0);

/** Splits messages into requests of at most `maxBytes` (estimated, uncompressed), keeping their order. */
export function chunkMessages(
  topicMessages: readonly TopicMessages[],
  maxBytes = MAX_REQUEST_BYTES,
): TopicMessages[][] {
  const chunks: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    let run: TopicMessages = { topic, messages: [] };
    current.push(run);
    for (const message of messages) {
      const size = sizeOf(message);
      if (bytes + size > maxBytes && bytes > 0) {
        chunks.push(current.filter((t) => t.messages.length > 0));
        run = { topic, messages: [] };
        current = [run];
        bytes = 0;
      }
      run.messages.push(message);
      bytes += size;
    }
  }
  const last = current.filter((t) => t.messages.length > 0);
  if (last.length > 0) chunks.push(last);
  return chunks;
}
