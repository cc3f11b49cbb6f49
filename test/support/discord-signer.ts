import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** What a slash command's request carries, as Discord sends it. */
export interface CommandInvocation {
  readonly name: string;
  readonly options?: Record<string, string>;
  readonly userId?: string;
  readonly username?: string;
  readonly roles?: readonly string[];
  /** A direct message: `user` instead of `member` (no roles). */
  readonly direct?: boolean;
}

export interface SentInteraction {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Plays Discord's side of HTTP interactions: an application key pair (the public half goes to the
 * bot's configuration as Discord shows it, 64 hex characters), and requests signed as Discord signs
 * them: Ed25519 over the timestamp followed by the exact body.
 */
export class DiscordSigner {
  readonly publicKeyHex: string;
  private readonly privateKey: KeyObject;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.publicKeyHex = Buffer.from(jwk.x as string, 'base64url').toString('hex');
  }

  /** The signature headers of `body` at `timestamp` (seconds since the epoch). */
  headers(body: string, timestamp = Math.floor(Date.now() / 1_000)): Record<string, string> {
    const signature = sign(null, Buffer.from(`${timestamp}${body}`, 'utf8'), this.privateKey);
    return { 'x-signature-ed25519': signature.toString('hex'), 'x-signature-timestamp': String(timestamp) };
  }

  /** POSTs `body` to the endpoint, signed (or with the headers `headers` gives instead). */
  async post(
    url: string,
    body: string,
    headers: Record<string, string> = this.headers(body),
  ): Promise<SentInteraction> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  /** A slash command from a server member (or, `direct`, from a direct message), signed. */
  command(url: string, invocation: CommandInvocation): Promise<SentInteraction> {
    return this.post(url, JSON.stringify(commandPayload(invocation)));
  }
}

export function commandPayload(invocation: CommandInvocation): Record<string, unknown> {
  const user = { id: invocation.userId ?? '100000000000000001', username: invocation.username ?? 'alice' };
  const options = Object.entries(invocation.options ?? {}).map(([name, value]) => ({ name, type: 3, value }));
  return {
    type: 2,
    id: '900000000000000001',
    application_id: '800000000000000001',
    token: 'interaction-token',
    data: {
      id: '700000000000000001',
      name: invocation.name,
      type: 1,
      ...(options.length > 0 ? { options } : {}),
    },
    ...(invocation.direct === true
      ? { user }
      : { guild_id: '600000000000000001', member: { user, roles: invocation.roles ?? [] } }),
  };
}
