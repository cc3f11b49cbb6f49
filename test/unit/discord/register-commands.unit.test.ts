import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCommands, SLASH_COMMANDS } from '../../../src/discord/index.ts';
import { ErrorCodes, isCmlError } from '../../../src/errors/index.ts';
import { runCli } from '../../support/cli-process.ts';
import { FakeDiscord } from '../../support/fake-discord.ts';

const APPLICATION = '800000000000000001';
const GUILD = '600000000000000001';
const NAMES = ['status', 'portfolio', 'positions', 'trades', 'profit', 'pause', 'resume', 'close'];

describe('registering the slash commands', () => {
  const discord = new FakeDiscord();

  beforeAll(async () => {
    await discord.listen();
  });
  afterAll(async () => {
    await discord.close();
  });

  it('PUTs every command to the application, authorised as the bot', async () => {
    const names = await registerCommands({
      apiUrl: discord.apiUrl,
      applicationId: APPLICATION,
      botToken: discord.botToken,
    });
    expect(names).toEqual(NAMES);
    const registration = discord.registrations.at(-1);
    expect(registration).toMatchObject({
      applicationId: APPLICATION,
      guildId: undefined,
      authorization: `Bot ${discord.botToken}`,
    });
    expect(registration?.commands).toEqual(JSON.parse(JSON.stringify(SLASH_COMMANDS)));
    const close = registration?.commands.find((c) => c.name === 'close') as {
      options?: Array<{ name: string; required: boolean }>;
    };
    expect(close.options).toEqual([expect.objectContaining({ name: 'symbol', required: true })]);
  });

  it('registers in one server when given one', async () => {
    await registerCommands({
      apiUrl: `${discord.apiUrl}/`,
      applicationId: APPLICATION,
      botToken: discord.botToken,
      guildId: GUILD,
    });
    expect(discord.registrations.at(-1)).toMatchObject({ applicationId: APPLICATION, guildId: GUILD });
  });

  it('waits out a 429 for what Discord asks, then registers', async () => {
    discord.answerNext({
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 0.2, global: false },
    });
    const before = discord.registrations.length;
    const started = Date.now();
    expect(
      await registerCommands({
        apiUrl: discord.apiUrl,
        applicationId: APPLICATION,
        botToken: discord.botToken,
      }),
    ).toEqual(NAMES);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(discord.registrations.length - before).toBe(2);
  });

  it('fails with the status and a hint naming the keys when Discord refuses the token', async () => {
    const failure = await registerCommands({
      apiUrl: discord.apiUrl,
      applicationId: APPLICATION,
      botToken: 'not-the-token-0123456789',
    }).catch((e: unknown) => e);
    expect(isCmlError(failure) && failure.code).toBe(ErrorCodes.DISCORD_REGISTER_FAILED);
    expect((failure as Error).message).toMatch(/^Discord refused the commands with 401/);
    expect(isCmlError(failure) ? failure.hint : '').toMatch(/DISCORD_BOT_TOKEN/);
  });

  it('cml discord register, against the fake', async () => {
    const env = {
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_APPLICATION_ID: APPLICATION,
      DISCORD_BOT_TOKEN: discord.botToken,
    };
    const done = await runCli(['discord', 'register', '--guild', GUILD], env);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout.trim()).toBe(
      `registered 8 commands in server ${GUILD}: ${NAMES.map((n) => `/${n}`).join(' ')}`,
    );

    const missing = await runCli(['discord', 'register'], { ...env, DISCORD_BOT_TOKEN: '' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /CML_DISCORD_NOT_CONFIGURED.*Missing discord.botToken \(DISCORD_BOT_TOKEN\)/,
    );
    expect(missing.stderr).not.toMatch(/\n\s+at /);

    const refused = await runCli(['discord', 'register'], {
      ...env,
      DISCORD_BOT_TOKEN: 'not-the-token-0123456789',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/CML_DISCORD_REGISTER_FAILED/);
    expect(refused.stderr).not.toContain('not-the-token');
  }, 60_000);
});
