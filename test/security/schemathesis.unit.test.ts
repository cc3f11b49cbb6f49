import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, DEPLOYED_SETTINGS, serveFixtureApi, type ServedFixtureApi } from './security-api.ts';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const schemathesis = `${here}.venv/bin/schemathesis`;

/**
 * What schemathesis must not find: a 5xx, a response outside its documented status codes, content
 * type, headers or body schema, an invalid request accepted, a secured route answering without the
 * key. (`positive_data_acceptance` is left out: the time and cursor parameters are plain strings in
 * the document, and a string that is no time or no cursor of the route is rightly a 400.)
 */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'ignored_auth',
  'missing_required_header',
].join(',');

describe('schemathesis against the OpenAPI document of the API on 127.0.0.1', () => {
  let api: ServedFixtureApi;

  beforeAll(async () => {
    await run('bash', [`${here}setup.sh`], { timeout: 300_000 });
    // The key set, so mutating handlers run too; a high limit, so they are reached, not refused with 429.
    api = await serveFixtureApi({ ...DEPLOYED_SETTINGS, rateLimit: { max: 1_000_000, windowMs: 60_000 } });
  }, 320_000);
  afterAll(async () => {
    await api.close();
  });

  it('finds no server error and no response that breaks its schema', { timeout: 180_000 }, async () => {
    const args = [
      'run',
      `${api.origin}/docs/json`,
      '--checks',
      CHECKS,
      '--max-examples',
      process.env.SCHEMATHESIS_EXAMPLES ?? '30',
      '--seed',
      process.env.SCHEMATHESIS_SEED ?? '1',
      '--workers',
      '1',
      '--header',
      `x-api-key: ${API_KEY}`,
      '--no-color',
    ];
    // Run in a temporary directory: schemathesis and hypothesis leave their caches in the working one.
    const cwd = mkdtempSync(join(tmpdir(), 'cml-schemathesis-'));
    const result = await run(schemathesis, args, { cwd, timeout: 170_000, maxBuffer: 16 << 20 }).catch(
      (error: { stdout?: string; stderr?: string; code?: number }) => error,
    );
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    const summary = /Test cases:\s*\n\s*(.+)/.exec(output)?.[1] ?? '?';
    console.info(`schemathesis: ${summary}`);
    expect(output, output).toMatch(/No issues found/);
    expect('code' in result ? result.code : 0).toBe(0);
    // It really ran every operation of the document.
    expect(output).toMatch(/Operations:\s+17 selected \/ 17 total/);
  });
});
