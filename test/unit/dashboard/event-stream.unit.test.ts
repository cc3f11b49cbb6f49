import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStream } from '../../../src/dashboard/event-stream.ts';

/** A stand-in for the HTTP response: records what is written. */
function fakeResponse(): { raw: ServerResponse; written: () => string; head: () => unknown } {
  const sink = new PassThrough();
  let text = '';
  let head: unknown;
  sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const raw = Object.assign(sink, {
    writeHead: (status: number, headers: unknown) => (head = { status, headers }),
  }) as unknown as ServerResponse;
  return { raw, written: () => text, head: () => head };
}

describe('the event stream of one browser', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes queued events as text/event-stream frames, in batches', () => {
    vi.useFakeTimers();
    const response = fakeResponse();
    const stream = new EventStream(response.raw, { flushMs: 100, maxQueue: 10, heartbeatMs: 60_000 });
    expect(response.head()).toMatchObject({
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
    });
    stream.push('bar', { close: 1 });
    stream.push('order', { order_id: 'ORD-20240101-001' });
    vi.advanceTimersByTime(100);
    stream.close();
    expect(response.written()).toBe(
      'retry: 2000\n\nevent: bar\ndata: {"close":1}\n\nevent: order\ndata: {"order_id":"ORD-20240101-001"}\n\n',
    );
  });

  it('drops a burst larger than its queue and tells the page to load its data again', () => {
    vi.useFakeTimers();
    const response = fakeResponse();
    const stream = new EventStream(response.raw, { flushMs: 100, maxQueue: 3, heartbeatMs: 60_000 });
    for (let n = 0; n < 10; n++) stream.push('bar', { n });
    vi.advanceTimersByTime(100);
    stream.push('bar', { n: 10 });
    vi.advanceTimersByTime(100);
    stream.close();
    const frames = response
      .written()
      .split('\n\n')
      .filter((f) => f.startsWith('event:'));
    expect(frames).toEqual([
      'event: resync\ndata: {"reason":"too many events at once"}',
      'event: bar\ndata: {"n":10}',
    ]);
  });
});
