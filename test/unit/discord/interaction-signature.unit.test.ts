import { describe, expect, it } from 'vitest';
import {
  interactionPublicKey,
  MAX_INTERACTION_AGE_S,
  verifyInteraction,
} from '../../../src/discord/index.ts';
import { DiscordSigner } from '../../support/discord-signer.ts';

const NOW = Date.UTC(2026, 10, 30, 12);
const NOW_S = NOW / 1_000;
const signer = new DiscordSigner();
const key = interactionPublicKey(signer.publicKeyHex);
const body = '{"type":1}';

const check = (headers: Record<string, string>, sent = body, publicKey = key) =>
  verifyInteraction({
    publicKey,
    signature: headers['x-signature-ed25519'],
    timestamp: headers['x-signature-timestamp'],
    body: Buffer.from(sent),
    now: NOW,
  });

describe('interaction signature', () => {
  it('accepts a body signed with the application key at the current time', () => {
    expect(check(signer.headers(body, NOW_S))).toEqual({ valid: true });
  });

  it('refuses a body changed after signing, by one character', () => {
    const verdict = check(signer.headers(body, NOW_S), '{"type":2}');
    expect(verdict).toEqual({ valid: false, reason: 'the signature does not match' });
  });

  it('refuses a signature made with another key', () => {
    const other = new DiscordSigner();
    expect(check(other.headers(body, NOW_S)).valid).toBe(false);
    expect(check(signer.headers(body, NOW_S), body, interactionPublicKey(other.publicKeyHex)).valid).toBe(
      false,
    );
  });

  it('refuses a timestamp older than the bound, even when the signature matches', () => {
    expect(check(signer.headers(body, NOW_S - MAX_INTERACTION_AGE_S)).valid).toBe(true);
    const old = check(signer.headers(body, NOW_S - MAX_INTERACTION_AGE_S - 1));
    expect(old).toEqual({ valid: false, reason: 'the request was signed 301 s ago (at most 300 s)' });
    expect(check(signer.headers(body, NOW_S + 3_600)).valid).toBe(false);
  });

  it('refuses a timestamp changed after signing (the signature covers it)', () => {
    const headers = signer.headers(body, NOW_S);
    expect(check({ ...headers, 'x-signature-timestamp': String(NOW_S - 1) }).valid).toBe(false);
  });

  it('refuses missing or malformed headers without throwing', () => {
    expect(check({}).valid).toBe(false);
    const headers = signer.headers(body, NOW_S);
    expect(check({ ...headers, 'x-signature-ed25519': 'zz' }).valid).toBe(false);
    expect(check({ ...headers, 'x-signature-timestamp': 'yesterday' }).valid).toBe(false);
  });

  it('reads the public key as the developer portal shows it, and only that', () => {
    expect(() => interactionPublicKey('abc')).toThrow(/64 hexadecimal/);
    expect(interactionPublicKey(signer.publicKeyHex.toUpperCase()).asymmetricKeyType).toBe('ed25519');
  });
});
