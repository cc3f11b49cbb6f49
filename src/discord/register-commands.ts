import { CmlError, ErrorCodes } from '../errors/index.ts';
import { retryAfterMs } from '../notify/rate-limit.ts';
import { sleep } from '../notify/sleep.ts';
import { SLASH_COMMANDS, type SlashCommandDefinition } from './slash-commands.ts';

export interface RegisterCommandsOptions {
  /** Discord's REST base, e.g. https://discord.com/api/v10 (a local fake in tests). */
  readonly apiUrl: string;
  readonly applicationId: string;
  readonly botToken: string;
  /** Register in one server only: there the commands show at once (global ones can take up to an hour). */
  readonly guildId?: string;
  readonly commands?: readonly SlashCommandDefinition[];
  /** 429s waited out before giving up (default 3). */
  readonly maxRateLimitWaits?: number;
}

/**
 * Replaces the application's slash commands with the bot's (Discord's bulk overwrite: PUT
 * /applications/{id}/commands, or /applications/{id}/guilds/{guild}/commands). Returns the names
 * Discord registered.
 */
export async function registerCommands(options: RegisterCommandsOptions): Promise<string[]> {
  const base = options.apiUrl.replace(/\/+$/, '');
  const path =
    options.guildId === undefined
      ? `/applications/${options.applicationId}/commands`
      : `/applications/${options.applicationId}/guilds/${options.guildId}/commands`;
  const body = JSON.stringify(options.commands ?? SLASH_COMMANDS);
  for (let waits = 0; ; waits++) {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: 'PUT',
        headers: { authorization: `Bot ${options.botToken}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (cause) {
      throw new CmlError(ErrorCodes.DISCORD_REGISTER_FAILED, `Discord could not be reached at ${base}`, {
        cause,
        canRetry: true,
        hint: 'Check the network and discord.apiUrl (DISCORD_API_URL), then run the command again.',
      });
    }
    const text = await response.text();
    const answer = parseJson(text);
    if (response.ok)
      return Array.isArray(answer) ? answer.map((c) => String((c as { name?: unknown }).name)) : [];
    if (response.status === 429 && waits < (options.maxRateLimitWaits ?? 3)) {
      await sleep(retryAfterMs(response.headers, answer, Date.now()));
      continue;
    }
    throw new CmlError(
      ErrorCodes.DISCORD_REGISTER_FAILED,
      `Discord refused the commands with ${response.status}: ${text.slice(0, 500)}`,
      {
        canRetry: response.status === 429 || response.status >= 500,
        hint:
          response.status === 401 || response.status === 403
            ? 'Check discord.botToken (DISCORD_BOT_TOKEN) and discord.applicationId (DISCORD_APPLICATION_ID): the token must be the bot of that application.'
            : response.status === 404
              ? 'Check discord.applicationId (DISCORD_APPLICATION_ID) and --guild: Discord knows no such application or server.'
              : 'See the answer above.',
        details: { status: response.status },
      },
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
