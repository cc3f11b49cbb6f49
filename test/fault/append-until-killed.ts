/**
 * Child process of the crash test: appends numbered batches to the embedded log forever, and
 * prints each batch number once its append is acknowledged. The parent kills it with SIGKILL.
 *
 *   tsx test/fault/append-until-killed.ts <data-dir> <records-per-batch> <run-id>
 */
import { loadConfig } from '../../src/config/index.ts';
import { openEmbeddedRuntime } from '../../src/runtime/index.ts';

const [dataDir, perBatchText, run] = process.argv.slice(2) as [string, string, string];
const perBatch = Number(perBatchText);
const runtime = openEmbeddedRuntime(loadConfig({ env: { CML_DATA_DIR: dataDir } }));
await runtime.topicAdmin.createTopics([
  { name: 'crash.a', partitions: 3, retentionMs: -1, keyField: 'k', description: 'crash test' },
  { name: 'crash.b', partitions: 1, retentionMs: -1, keyField: 'k', description: 'crash test' },
]);
process.stdout.write('ready\n');
const payload = Buffer.alloc(512, 7);
for (let batch = 0; ; batch++) {
  const records = Array.from({ length: perBatch }, (_, n) => ({
    key: `key-${n % 17}`,
    value: payload,
    timestamp: batch,
    headers: { batch: `${run}/${batch}`, n: String(n) },
  }));
  // Half of each batch to each topic: an atomic append across topics and partitions.
  await runtime.log.append([
    { topic: 'crash.a', records: records.slice(0, perBatch / 2) },
    { topic: 'crash.b', records: records.slice(perBatch / 2) },
  ]);
  process.stdout.write(`acked ${batch}\n`);
}
