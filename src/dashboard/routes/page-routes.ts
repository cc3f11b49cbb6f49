import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/** lightweight-charts' self-contained ES module build (fancy-canvas bundled), served from node_modules. */
const CHARTS_MODULE = join(
  dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json')),
  'dist',
  'lightweight-charts.standalone.production.mjs',
);

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
};

/**
 * The page at `/` and its assets under `/dashboard/`: plain files (no build step), read once at
 * start-up, and the chart library. Hidden from the OpenAPI document: they are not the API.
 */
export function pageRoutes(app: FastifyInstance): void {
  const files = new Map(
    readdirSync(PUBLIC_DIR)
      .filter((name) => TYPES[extname(name)] !== undefined)
      .map((name) => [name, readFileSync(join(PUBLIC_DIR, name))]),
  );
  const chartsModule = readFileSync(CHARTS_MODULE);

  app.get('/', {
    schema: { hide: true },
    handler: (_request, reply) =>
      reply
        .type(TYPES['.html'] as string)
        .header('cache-control', 'no-cache')
        .send(files.get('index.html')),
  });

  app.get<{ Params: { file: string } }>('/dashboard/:file', {
    schema: {
      hide: true,
      params: {
        type: 'object',
        required: ['file'],
        properties: { file: { type: 'string', enum: [...files.keys()] } },
      },
    },
    handler: (request, reply) => {
      const { file } = request.params;
      return reply
        .type(TYPES[extname(file)] as string)
        .header('cache-control', 'no-cache')
        .send(files.get(file));
    },
  });

  app.get('/dashboard/vendor/lightweight-charts.mjs', {
    schema: { hide: true },
    handler: (_request, reply) =>
      reply
        .type(TYPES['.mjs'] as string)
        .header('cache-control', 'public, max-age=86400')
        .send(chartsModule),
  });
}
