import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/api/index.ts';
import { loadConfig } from '../../../src/config/index.ts';
import type { DiscordEmbed } from '../../../src/notify/index.ts';
import { serveApi, type ServedApi } from '../../../src/pipeline/serve-api.ts';
import { startServices, type Services } from '../../../src/pipeline/services.ts';
import { openEmbeddedRuntime, prepareRuntime, type Runtime } from '../../../src/runtime/index.ts';
import { AvroSerde } from '../../../src/serde/index.ts';
import { CONTROLS } from '../../../src/contracts/index.ts';
import { ControlCodec } from '../../../src/controls/index.ts';
import { DiscordSigner } from '../../support/discord-signer.ts';
import { silentLogger } from '../../support/runtimes.ts';

/** The bot as `npm start` serves it: on the API's server when a public key is configured, reading the live pipeline. */
describe('Discord bot in the pipeline', () => {
  let runtime: Runtime | undefined;
  let services: Services | undefined;
  let api: ServedApi | undefined;
  afterEach(async () => {
    await api?.close();
    await services?.stop();
    await runtime?.close();
    api = services = runtime = undefined;
  });

  const serve = async (env: Record<string, string>): Promise<ServedApi> => {
    const config = loadConfig({
      env: { CML_DATA_DIR: mkdtempSync(join(tmpdir(), 'cml-bot-')), CML_API_PORT: '0', ...env },
    });
    runtime = openEmbeddedRuntime(config);
    await prepareRuntime(runtime, config);
    const serde = await AvroSerde.create(runtime.registry);
    const metrics = createMetrics({ defaultMetrics: false });
    services = await startServices({
      config,
      runtime,
      serde,
      logger: silentLogger,
      services: ['projections'],
      clock: 'stream',
      metrics,
    });
    return serveApi({ config, runtime, serde, logger: silentLogger, services, metrics });
  };

  it('answers /status with the consumer groups and dead-letter topics of the running log', async () => {
    const discord = new DiscordSigner();
    api = await serve({ DISCORD_PUBLIC_KEY: discord.publicKeyHex });
    const sent = await discord.command(`${api.url}discord/interactions`, { name: 'status' });
    expect(sent.status).toBe(200);
    const embed = (sent.body as { data: { embeds: DiscordEmbed[] } }).data.embeds[0];
    expect(embed?.title).toMatch(/^Pipeline healthy/);
    const fields = new Map(embed?.fields.map((f) => [f.name.replace(/ \(.*/, ''), f.value]));
    expect(fields.get('Processors')).toBe('✓ portfolio\n✓ signals\n✓ candles');
    expect(fields.get('Dead letters')).toBe('crypto.market_data: 0\ncrypto.ml_signals: 0\ncrypto.orders: 0');
    expect(fields.has('Consumer lag')).toBe(true);
  });

  it("an operator's /pause is a request in crypto.controls; /close of a flat symbol is refused", async () => {
    const discord = new DiscordSigner();
    const operator = '100000000000000042';
    api = await serve({ DISCORD_PUBLIC_KEY: discord.publicKeyHex, DISCORD_OPERATOR_USER_IDS: operator });
    const url = `${api.url}discord/interactions`;
    const pause = await discord.command(url, {
      name: 'pause',
      userId: operator,
      options: { symbol: 'ETHUSDT' },
    });
    expect(pause.status).toBe(200);
    const close = await discord.command(url, {
      name: 'close',
      userId: operator,
      options: { symbol: 'BTCUSDT' },
    });
    expect(JSON.stringify(close.body)).toContain('no open BTCUSDT position to close');
    const log = (runtime as Runtime).log;
    const end = (await log.endOffsets(CONTROLS)).get(0) ?? 0;
    const codec = await ControlCodec.create((runtime as Runtime).registry);
    const controls = await Promise.all(
      (await log.read(CONTROLS, 0, 0, end)).map((record) => codec.decode(record.value)),
    );
    expect(controls).toMatchObject([
      {
        action: 'PAUSE_ENTRIES',
        symbol: 'ETHUSDT',
        requested_by: `discord:alice (${operator})`,
        applied_from: null,
      },
    ]);
  });

  it('serves no interactions endpoint without a public key', async () => {
    api = await serve({});
    const response = await fetch(`${api.url}discord/interactions`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
