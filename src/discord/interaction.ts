import type { DiscordEmbed } from '../notify/discord-message.ts';

/**
 * The subset of Discord's interaction payloads the bot reads and answers
 * (https://discord.com/developers/docs/interactions/receiving-and-responding).
 */
export const InteractionType = { PING: 1, APPLICATION_COMMAND: 2 } as const;

export const InteractionResponseType = { PONG: 1, CHANNEL_MESSAGE_WITH_SOURCE: 4 } as const;

/** Message flag: only the user who ran the command sees the answer. */
export const EPHEMERAL = 64;

export interface DiscordUser {
  readonly id: string;
  readonly username?: string;
}

export interface CommandOption {
  readonly name: string;
  readonly type: number;
  readonly value?: string | number | boolean;
}

export interface Interaction {
  readonly type: number;
  readonly id?: string;
  readonly data?: { readonly name: string; readonly options?: readonly CommandOption[] };
  /** In a server: the member, with the ids of its roles. */
  readonly member?: { readonly user?: DiscordUser; readonly roles?: readonly string[] };
  /** In a direct message: the user alone. */
  readonly user?: DiscordUser;
}

export interface InteractionMessage {
  readonly content?: string;
  readonly embeds?: readonly DiscordEmbed[];
  readonly flags?: number;
  /** Nobody is pinged, whatever the text holds. */
  readonly allowed_mentions: { readonly parse: readonly [] };
}

export type InteractionResponse =
  | { readonly type: typeof InteractionResponseType.PONG }
  | {
      readonly type: typeof InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE;
      readonly data: InteractionMessage;
    };

export const PONG: InteractionResponse = { type: InteractionResponseType.PONG };

/** A message in the channel, seen by everyone there. */
export const publicReply = (message: {
  content?: string;
  embeds?: readonly DiscordEmbed[];
}): InteractionResponse => ({
  type: InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE,
  data: { ...message, allowed_mentions: { parse: [] } },
});

/** A message only the user who ran the command sees (refusals, mistakes). */
export const ephemeralReply = (content: string): InteractionResponse => ({
  type: InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE,
  data: { content, flags: EPHEMERAL, allowed_mentions: { parse: [] } },
});
