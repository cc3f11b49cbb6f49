import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { MARKET_DATA, ORDERS, type OrderEvent } from '../../src/contracts/index.ts';
import { SeededRandom } from '../../src/ingest/simulator/random.ts';
import { partitionFor } from '../../src/log/partitioner.ts';
import { encodeValidated } from '../../src/messaging/index.ts';
import { prepareRuntime, type Runtime } from '../../src/runtime/index.ts';
import { AvroSerde } from '../../src/serde/index.ts';
import { rebuildPortfolio } from '../../projections/portfolio/rebuild-portfolio.ts';
import { executionOf, expectedExecutions, orderFlow } from '../support/order-flow.ts';
import { createTestTopic, kafkaHarness, uniqueName } from '../support/runtimes.ts';

// Node itself runs the child (with tsx as a loader): the tsx CLI would run it in a grandchild
// that a SIGKILL of the wrapper leaves alive.
const CHILD = fileURLToPath(new URL('exchange-service.ts', import.meta.url));
const MINUTES = 200;
const KILLS = 3;

interface Topics {
  readonly market: string;
  readonly orders: string;
  readonly group: string;
  readonly storeDir: string;
}

/**
 * Runs the exchange child until it is done, or kills it with SIGKILL once it has settled
 * `killAt` bars in this run (after a further random delay). Resolves with how it ended.
 */
function runExchange(
  topics: Topics,
  env: NodeJS.ProcessEnv,
  killAt?: number,
  delayMs = 0,
): Promise<'done' | 'killed'> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, topics.market, topics.orders, topics.group, topics.storeDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env,
      },
    );
    let buffered = '';
    let killing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const settled = /^settled (\d+)$/.exec(line);
        if (!killing && killAt !== undefined && settled !== null && Number(settled[1]) >= killAt) {
          killing = true;
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('done');
      else reject(new Error(`exchange child exited with ${code ?? signal}`));
    });
  });
}

describe('the virtual exchange under SIGKILL on Kafka', () => {
  it(
    'ends with the same fills and state hash as an uninterrupted run, nothing filled or closed twice',
    { timeout: 600_000 },
    async () => {
      const harness = kafkaHarness(inject('kafkaBrokers'), inject('registryUrl'));
      const runtime: Runtime = await harness.open();
      await prepareRuntime(runtime, harness.config);
      const serde = await AvroSerde.create(runtime.registry);
      const env = {
        ...process.env,
        KAFKA_BROKERS: inject('kafkaBrokers'),
        SCHEMA_REGISTRY_URL: inject('registryUrl'),
      };
      const start = Math.floor(Date.now() / 60_000) * 60_000 - (MINUTES + 5) * 60_000;
      const flow = orderFlow({ seed: 11, minutes: MINUTES, start });
      const newTopics = async (): Promise<Topics> => {
        const topics = {
          market: await createTestTopic(runtime, 3),
          orders: await createTestTopic(runtime, 1),
          group: uniqueName('exchange'),
          storeDir: mkdtempSync(join(tmpdir(), 'cml-exchange-kill-')),
        };
        await runtime.log.append([
          { topic: topics.orders, records: encodeValidated(serde, ORDERS, flow.orders, (o) => o.timestamp) },
        ]);
        await runtime.log.append([
          {
            topic: topics.market,
            records: encodeValidated(serde, MARKET_DATA, flow.bars, (b) => b.timestamp),
          },
        ]);
        return topics;
      };
      const eventsIn = async (topics: Topics): Promise<OrderEvent[]> => {
        const records = await runtime.log.read(topics.orders, 0, 0, 1_000_000);
        const events = await Promise.all(records.map((record) => serde.decode(ORDERS, record.value)));
        return events.filter((event) => event.status !== 'PENDING');
      };
      try {
        const calm = await newTopics();
        expect(await runExchange(calm, env)).toBe('done');

        const chaos = await newTopics();
        const random = new SeededRandom(2_024);
        let kills = 0;
        for (let n = 0; n < KILLS; n++) {
          // Somewhere in the next stretch of this run's bars, a few milliseconds later still.
          const killAt = Math.floor(flow.bars.length * (0.05 + 0.15 * random.uniform()));
          const ended = await runExchange(chaos, env, killAt, Math.floor(200 * random.uniform()));
          if (ended === 'killed') kills++;
        }
        expect(await runExchange(chaos, env)).toBe('done');

        const expected = expectedExecutions(flow, (symbol) => partitionFor(symbol, 3));
        const calmEvents = (await eventsIn(calm)).map(executionOf);
        const chaosEvents = await eventsIn(chaos);
        const steps = chaosEvents.map((event) => `${event.order_id} ${event.status}`);
        expect(new Set(steps).size, 'no order filled, closed or cancelled twice').toBe(steps.length);
        expect(calmEvents).toEqual(expected);
        expect(chaosEvents.map(executionOf)).toEqual(calmEvents);

        const hashOf = async (topics: Topics): Promise<string> =>
          (
            await rebuildPortfolio(runtime.log, serde, 10_000, {
              ordersTopic: topics.orders,
              marketDataTopic: topics.market,
            })
          ).hash;
        expect(await hashOf(chaos)).toBe(await hashOf(calm));
        expect(kills).toBe(KILLS);
        console.log(
          `exchange fault test: ${kills} SIGKILLs survived, ${chaosEvents.length} events, 0 duplicates, 0 divergences`,
        );
      } finally {
        await runtime.close();
      }
    },
  );
});
