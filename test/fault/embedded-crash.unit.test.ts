import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import type { LogRecord } from '../../src/log/port.ts';
import { openEmbeddedRuntime, type Runtime } from '../../src/runtime/index.ts';

// Node itself runs the child (with tsx as a loader): the tsx CLI would run it in a grandchild
// that a SIGKILL of the wrapper leaves alive.
const CHILD = fileURLToPath(new URL('append-until-killed.ts', import.meta.url));
const PER_BATCH = 40;

/** Runs the appending child, kills it with SIGKILL after `killAfterMs` of appending; returns the last acknowledged batch. */
function appendUntilKilled(dataDir: string, run: number, killAfterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, dataDir, String(PER_BATCH), String(run)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let acked = -1;
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        const match = /^acked (\d+)$/.exec(line);
        if (match !== null) acked = Number(match[1]);
      }
    });
    child.on('error', reject);
    // After 'close', every line the child wrote before dying has been read.
    child.on('close', (_code, signal) =>
      signal === 'SIGKILL'
        ? resolve(acked)
        : reject(new Error(`child exited without being killed (${signal})`)),
    );
  });
}

async function allRecords(runtime: Runtime, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (const [partition, end] of await runtime.log.endOffsets(topic)) {
    for (const record of await runtime.log.read(topic, partition, 0, end)) out.push(record);
  }
  return out;
}

describe('the embedded log under SIGKILL', () => {
  it(
    'loses no acknowledged record and shows no partial batch after a restart',
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'cml-crash-'));
      const acknowledged: string[] = [];
      for (const [run, killAfterMs] of [700, 350, 1200].entries()) {
        const acked = await appendUntilKilled(dataDir, run, killAfterMs);
        expect(acked, 'the child acknowledged appends before it was killed').toBeGreaterThanOrEqual(0);
        for (let batch = 0; batch <= acked; batch++) acknowledged.push(`${run}/${batch}`);

        const runtime = openEmbeddedRuntime(loadConfig({ env: { CML_DATA_DIR: dataDir } }));
        const records = [
          ...(await allRecords(runtime, 'crash.a')),
          ...(await allRecords(runtime, 'crash.b')),
        ];
        const perBatch = new Map<string, number>();
        for (const record of records)
          perBatch.set(record.headers.batch ?? '', (perBatch.get(record.headers.batch ?? '') ?? 0) + 1);
        for (const [batch, count] of perBatch) expect(count, `batch ${batch} is partial`).toBe(PER_BATCH);
        for (const batch of acknowledged)
          expect(perBatch.get(batch), `acknowledged batch ${batch} lost`).toBe(PER_BATCH);
        // Offsets stay dense: every partition reads back exactly its end offset's worth of records.
        for (const topic of ['crash.a', 'crash.b']) {
          const ends = await runtime.log.endOffsets(topic);
          expect((await allRecords(runtime, topic)).length).toBe(
            [...ends.values()].reduce((a, b) => a + b, 0),
          );
        }
        await runtime.close();
      }
    },
  );
});
