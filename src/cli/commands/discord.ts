import { Command, InvalidArgumentError } from 'commander';
import { registerCommands } from '../../discord/index.ts';
import { CmlError, ErrorCodes } from '../../errors/index.ts';
import type { CommandContext } from '../context.ts';

const guildId = (value: string): string => {
  if (!/^\d{17,20}$/.test(value))
    throw new InvalidArgumentError('expected a Discord server id: 17 to 20 digits');
  return value;
};

/** `cml discord register`: the bot's slash commands, registered with Discord. */
export function discordCommand(context: () => CommandContext): Command {
  const discord = new Command('discord').description('the Discord bot (HTTP interactions)');
  discord
    .command('register')
    .description("register the bot's slash commands with Discord (replaces the application's commands)")
    .option(
      '--guild <id>',
      'in this server only: shown at once (global commands can take up to an hour)',
      guildId,
    )
    .addHelpText(
      'after',
      '\nNeeds discord.applicationId (DISCORD_APPLICATION_ID) and discord.botToken (DISCORD_BOT_TOKEN);\n' +
        'Discord is reached at discord.apiUrl (DISCORD_API_URL).',
    )
    .action(async (opts: { guild?: string }) => {
      const { config } = context();
      const { applicationId, botToken, apiUrl } = config.discord;
      const missing = [
        applicationId === undefined ? 'discord.applicationId (DISCORD_APPLICATION_ID)' : undefined,
        botToken === undefined ? 'discord.botToken (DISCORD_BOT_TOKEN)' : undefined,
      ].filter((key) => key !== undefined);
      if (applicationId === undefined || botToken === undefined)
        throw new CmlError(ErrorCodes.DISCORD_NOT_CONFIGURED, `Missing ${missing.join(' and ')}`, {
          hint: "Both are on the application's page of the Discord developer portal (General Information: application id; Bot: token).",
        });
      const names = await registerCommands({
        apiUrl,
        applicationId,
        botToken,
        ...(opts.guild === undefined ? {} : { guildId: opts.guild }),
      });
      console.log(
        `registered ${names.length} commands${opts.guild === undefined ? '' : ` in server ${opts.guild}`}: ${names.map((n) => `/${n}`).join(' ')}`,
      );
    });
  return discord;
}
