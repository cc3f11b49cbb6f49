const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface OpenApiDocument {
  readonly info: { readonly title: string; readonly version: string };
  readonly paths?: Record<string, Record<string, { summary?: string; security?: unknown[] }>>;
}

/** A small self-contained HTML page listing every route of the OpenAPI document (no scripts, no CDN). */
export function docsPage(doc: OpenApiDocument): string {
  const rows = Object.entries(doc.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(
      ([method, op]) =>
        `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td>` +
        `<td>${escape(op.summary ?? '')}${op.security === undefined ? '' : ' <em>(API key)</em>'}</td></tr>`,
    ),
  );
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escape(doc.info.title)} API</title>`,
    '<style>body{font-family:sans-serif;margin:2em}td{padding:.2em .8em;vertical-align:top}</style></head><body>',
    `<h1>${escape(doc.info.title)} ${escape(doc.info.version)}</h1>`,
    '<p>The OpenAPI document: <a href="/docs/json">/docs/json</a>. Mutating routes need the <code>x-api-key</code> header.</p>',
    `<table><thead><tr><th>method</th><th>path</th><th>what</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    '</body></html>',
  ].join('\n');
}
