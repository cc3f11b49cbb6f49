import type { ServerResponse } from 'node:http';

export interface EventStreamSettings {
  /** Events are written in batches this often (ms). */
  readonly flushMs: number;
  /** More events than this waiting (a replay, a slow client): drop them and tell the page to reload. */
  readonly maxQueue: number;
  /** A comment line this often keeps proxies from closing an idle stream (ms). */
  readonly heartbeatMs: number;
}

export const DEFAULT_EVENT_STREAM_SETTINGS: EventStreamSettings = {
  flushMs: 200,
  maxQueue: 1_000,
  heartbeatMs: 15_000,
};

/** One frame of the text/event-stream format. */
export const sseFrame = (event: string, data: unknown): string =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * One browser's server-sent event stream. Events are queued and written in batches; when the
 * queue overflows (a burst such as an import, or a client that does not read), the queue is
 * dropped and a single `resync` event tells the page to load its data again, so memory stays
 * bounded whatever the log does.
 */
export class EventStream {
  private queue: string[] = [];
  private overflowed = false;
  private closed = false;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout;

  constructor(
    private readonly raw: ServerResponse,
    private readonly settings: EventStreamSettings = DEFAULT_EVENT_STREAM_SETTINGS,
  ) {
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    this.flushTimer = setInterval(() => this.flush(), settings.flushMs);
    this.heartbeatTimer = setInterval(() => this.write(': heartbeat\n\n'), settings.heartbeatMs);
  }

  push(event: string, data: unknown): void {
    if (this.closed || this.overflowed) return;
    this.queue.push(sseFrame(event, data));
    if (this.queue.length > this.settings.maxQueue) {
      this.queue = [];
      this.overflowed = true;
    }
  }

  private flush(): void {
    if (this.raw.writableNeedDrain) return;
    if (this.overflowed) {
      this.overflowed = false;
      this.write(sseFrame('resync', { reason: 'too many events at once' }));
      return;
    }
    if (this.queue.length === 0) return;
    const frames = this.queue.join('');
    this.queue = [];
    this.write(frames);
  }

  private write(text: string): void {
    if (!this.closed && !this.raw.writableEnded) this.raw.write(text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.flushTimer);
    clearInterval(this.heartbeatTimer);
    if (!this.raw.writableEnded) this.raw.end();
  }
}
