import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../api/api-context.ts';
import { portfolioView } from '../../api/portfolio-view.ts';
import type { DashboardDependencies } from '../dashboard-deps.ts';
import { DEFAULT_EVENT_STREAM_SETTINGS, EventStream, type EventStreamSettings } from '../event-stream.ts';

/**
 * `GET /events`: server-sent events for the page. `bar`, `signal` and `order` events come from the
 * live feed as they reach the log; a `portfolio` event (the GET /portfolio body) is sent on connect
 * and whenever the projection's portfolio has changed since the last one sent.
 */
export function eventRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  deps: DashboardDependencies,
  settings: EventStreamSettings = DEFAULT_EVENT_STREAM_SETTINGS,
): void {
  const open = new Set<EventStream>();
  // Open streams would keep the server from closing.
  app.addHook('preClose', (done) => {
    for (const stream of open) stream.close();
    done();
  });

  app.get('/events', {
    schema: {
      summary: 'Live updates as server-sent events: bar, signal, order, portfolio (and resync after a burst)',
      produces: ['text/event-stream'],
      response: { 200: { type: 'string' } },
    },
    handler: (request, reply) => {
      reply.hijack();
      const stream = new EventStream(reply.raw, settings);
      open.add(stream);
      let lastPortfolio = '';
      const sendPortfolio = (): void => {
        const view = portfolioView(ctx.portfolio());
        const text = JSON.stringify(view);
        if (text === lastPortfolio) return;
        lastPortfolio = text;
        stream.push('portfolio', view);
      };
      sendPortfolio();
      const timer = setInterval(sendPortfolio, deps.portfolioEveryMs ?? 1_000);
      const unsubscribe = deps.feed.subscribe((event) => {
        switch (event.type) {
          case 'bar':
            return stream.push('bar', event.candle);
          case 'signal':
            return stream.push('signal', event.signal);
          case 'order':
            return stream.push('order', event.order);
          default: {
            const unknown: never = event;
            throw new Error(`unknown live event ${JSON.stringify(unknown)}`);
          }
        }
      });
      request.raw.on('close', () => {
        clearInterval(timer);
        unsubscribe();
        stream.close();
        open.delete(stream);
      });
    },
  });
}
