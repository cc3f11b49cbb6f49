import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import { MARKET_DATA } from '../../../src/contracts/index.ts';
import { checkLmdbFile } from '../../../src/data-dir/index.ts';
import { EmbeddedStore } from '../../../src/log/embedded/embedded-store.ts';
import { verifyEmbeddedLog } from '../../../src/log/embedded/verify-embedded-log.ts';
import { Publisher } from '../../../src/messaging/index.ts';
import { openEmbeddedRuntime, prepareRuntime } from '../../../src/runtime/index.ts';
import { AvroSerde, embeddedRegistry } from '../../../src/serde/index.ts';
import { marketDataAt } from '../../support/messages.ts';

const MINUTE = 60_000;

/** A data directory whose log holds `bars` bars of BTCUSDT ending now (within retention). */
async function logWithBars(bars: number): Promise<string> {
  const config = loadConfig({ env: { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-verify-')) } });
  const runtime = openEmbeddedRuntime(config);
  await prepareRuntime(runtime, config);
  const publisher = new Publisher(runtime.log, await AvroSerde.create(runtime.registry));
  const start = Date.now() - bars * MINUTE;
  await publisher.publish(
    MARKET_DATA,
    Array.from({ length: bars }, (_, i) => marketDataAt(start + i * MINUTE)),
    (bar) => bar.timestamp,
  );
  await runtime.close();
  return join(config.dataDir, 'embedded');
}

async function verify(dir: string): Promise<readonly string[]> {
  const store = EmbeddedStore.open(dir, { readOnly: true });
  try {
    const serde = await AvroSerde.create(embeddedRegistry(store, 'BACKWARD'));
    const result = await verifyEmbeddedLog(store, {
      decode: async (_topic, value) => void (await serde.decodeAny(value)),
    });
    return result.problems;
  } finally {
    await store.close();
  }
}

/** Changes the log behind its back, as a bug or another program could. */
async function tamper(dir: string, change: (store: EmbeddedStore) => Promise<unknown>): Promise<void> {
  const store = EmbeddedStore.open(dir);
  await change(store);
  await store.close();
}

const partitionOf = async (dir: string): Promise<number> => {
  const store = EmbeddedStore.open(dir, { readOnly: true });
  const [entry] = store.records.getRange({ start: [MARKET_DATA], end: [`${MARKET_DATA}\u0000`], limit: 1 });
  await store.close();
  return entry?.key[1] ?? -1;
};

describe('verify: the embedded log against what it says it holds', () => {
  it('finds a sound log sound', async () => {
    const dir = await logWithBars(50);
    expect(await verify(dir)).toEqual([]);
    expect(checkLmdbFile(join(dir, 'ledger.mdb'), { walk: true }).problems).toEqual([]);
  });

  it('reports a hole in the offsets', async () => {
    const dir = await logWithBars(50);
    const p = await partitionOf(dir);
    await tamper(dir, (store) => store.records.remove([MARKET_DATA, p, 20]));
    expect(await verify(dir)).toEqual([`${MARKET_DATA}[${p}]: offsets 20..20 are missing`]);
  });

  it('reports a record that does not decode, and a group committed past the end', async () => {
    const dir = await logWithBars(50);
    const p = await partitionOf(dir);
    await tamper(dir, async (store) => {
      const record = store.records.get([MARKET_DATA, p, 7]);
      await store.records.put([MARKET_DATA, p, 7], { ...record!, v: Buffer.from('not avro') });
      await store.meta.put(['group', 'g', MARKET_DATA, p], 99);
    });
    const problems = await verify(dir);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(new RegExp(`^${MARKET_DATA}\\[${p}\\]@7: not decodable`));
    expect(problems[1]).toBe(`group g has committed offset 99 on ${MARKET_DATA}[${p}], past its end 50`);
  });

  it('reports a truncated file and a zeroed header without mapping the file', async () => {
    const dir = await logWithBars(2_000);
    const file = join(dir, 'ledger.mdb');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 8192));
    expect(checkLmdbFile(file, { walk: true }).problems.join('\n')).toMatch(/truncated/);
    writeFileSync(file, Buffer.concat([Buffer.alloc(8192), bytes.subarray(8192)]));
    expect(checkLmdbFile(file, { walk: false }).problems).toEqual([
      'meta page 0 is not an LMDB header (magic 0)',
      'meta page 1 is not an LMDB header (magic 0)',
    ]);
  });
});

describe('the file check, on what LMDB itself leaves', () => {
  it('takes a last page past the end of the file (allocated, freed, never written) for sound', async () => {
    const file = join(await logWithBars(200), 'ledger.mdb');
    const bytes = readFileSync(file);
    // Both meta pages claim one more page than the file holds, as after a transaction that freed
    // the final pages it had allocated: LMDB opens such a file, so the check must too.
    for (const page of [0, 1]) {
      const at = page * 4096 + 24 + 24 + 96;
      bytes.writeBigUInt64LE(bytes.readBigUInt64LE(at) + 1n, at);
    }
    writeFileSync(file, bytes);
    expect(checkLmdbFile(file, { walk: true }).problems).toEqual([]);
    const store = EmbeddedStore.open(join(file, '..'), { readOnly: true });
    expect(store.records.getCount()).toBe(200);
    await store.close();
  });
});
