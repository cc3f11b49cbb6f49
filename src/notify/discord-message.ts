/**
 * The subset of Discord's webhook payload the notifier sends
 * (https://discord.com/developers/docs/resources/webhook#execute-webhook). Limits that matter:
 * title 256 characters, field values 1,024, at most 25 fields, 10 embeds per message.
 */
export interface DiscordEmbedField {
  readonly name: string;
  readonly value: string;
  readonly inline?: boolean;
}

export interface DiscordEmbed {
  readonly title: string;
  readonly description?: string;
  /** 0xRRGGBB. */
  readonly color: number;
  /** ISO 8601: Discord shows it in the reader's time zone. */
  readonly timestamp: string;
  readonly fields: readonly DiscordEmbedField[];
  readonly footer?: { readonly text: string };
}

export interface DiscordMessage {
  readonly username?: string;
  readonly embeds: readonly DiscordEmbed[];
  /** Nobody is pinged, whatever the text holds. */
  readonly allowed_mentions: { readonly parse: readonly [] };
}

export const messageOf = (embed: DiscordEmbed, username = 'crypto-ml-ledger'): DiscordMessage => ({
  username,
  embeds: [embed],
  allowed_mentions: { parse: [] },
});

export const EmbedColors = {
  buy: 0x3498db,
  sell: 0xe67e22,
  profit: 0x2ecc71,
  loss: 0xe74c3c,
  flat: 0x95a5a6,
  cancelled: 0x7f8c8d,
} as const;
