import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';

/** A candle as the fake serves it. */
export interface FakeCandle {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * A local stand-in for Binance's public spot API on loopback, speaking its payload formats:
 * REST `/api/v3/klines` (arrays of 12 fields, used-weight header, 429 with Retry-After on demand)
 * and `/api/v3/ticker/24hr`, and the combined WebSocket stream `/stream?streams=…` with kline
 * events that the test sends, repeats, garbles or cuts off.
 */
export class FakeBinance {
  readonly app: FastifyInstance;
  readonly wss = new WebSocketServer({ noServer: true });
  readonly sockets = new Set<WebSocket>();
  readonly restCalls: string[] = [];
  /** Answer the next N REST calls with 429 and this Retry-After (seconds). */
  rateLimitNext = { calls: 0, retryAfterS: 1 };
  /** What `/api/v3/ticker/24hr` answers. */
  tickers: unknown[] = [];
  private connectionWaiters: Array<() => void> = [];

  constructor(
    readonly symbol: string,
    readonly intervalMs: number,
    readonly candles: readonly FakeCandle[],
  ) {
    this.app = Fastify();
    this.app.get('/api/v3/klines', async (request, reply) => {
      this.restCalls.push(request.url);
      if (this.rateLimitNext.calls > 0) {
        this.rateLimitNext.calls--;
        return reply
          .code(429)
          .header('retry-after', String(this.rateLimitNext.retryAfterS))
          .send({ code: -1003, msg: 'Too many requests.' });
      }
      const query = request.query as Record<string, string>;
      const start = Number(query.startTime ?? 0);
      const end = Number(query.endTime ?? Number.MAX_SAFE_INTEGER);
      const limit = Number(query.limit ?? 500);
      const rows = this.candles
        .filter((c) => c.openTime >= start && c.openTime <= end)
        .slice(0, limit)
        .map((c) => this.restRow(c));
      return reply.header('x-mbx-used-weight-1m', '12').send(rows);
    });
    this.app.get('/api/v3/ticker/24hr', (request, reply) => {
      this.restCalls.push(request.url);
      return reply.send(this.tickers);
    });
    this.app.server.on('upgrade', (request, socket, head) => {
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
        for (const wake of this.connectionWaiters.splice(0)) wake();
      });
    });
  }

  async start(): Promise<{ restUrl: string; wsUrl: string }> {
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = this.app.server.address() as AddressInfo;
    return { restUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}` };
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    await this.app.close();
  }

  /** Resolves once a client is connected (now, or at its next connection). */
  connected(): Promise<void> {
    if (this.sockets.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.connectionWaiters.push(resolve));
  }

  /** Cuts every connection without a close handshake, as a network failure would. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  send(frame: string): void {
    for (const socket of this.sockets) socket.send(frame);
  }

  /** The kline event of candle `index`, as the combined stream wraps it. */
  klineFrame(index: number, closed = true): string {
    const c = this.candles[index] as FakeCandle;
    const closeTime = c.openTime + this.intervalMs - 1;
    const stream = `${this.symbol.toLowerCase()}@kline_${this.intervalMs / 60_000}m`;
    return JSON.stringify({
      stream,
      data: {
        e: 'kline',
        E: closeTime + 1,
        s: this.symbol,
        k: {
          t: c.openTime,
          T: closeTime,
          s: this.symbol,
          i: `${this.intervalMs / 60_000}m`,
          f: 100,
          L: 200,
          o: String(c.open),
          c: String(c.close),
          h: String(c.high),
          l: String(c.low),
          v: String(c.volume),
          n: 100,
          x: closed,
          q: '0',
          V: '0',
          Q: '0',
          B: '0',
        },
      },
    });
  }

  private restRow(c: FakeCandle): unknown[] {
    return [
      c.openTime,
      String(c.open),
      String(c.high),
      String(c.low),
      String(c.close),
      String(c.volume),
      c.openTime + this.intervalMs - 1,
      '0',
      100,
      '0',
      '0',
      '0',
    ];
  }
}
