import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * How old a signed request may be: five minutes, as Slack bounds its signed requests. Discord
 * sends an interaction at once, so an older one is a replay; 60 s ahead of our clock is allowed
 * (the project's skew rule), for a server whose clock is behind Discord's.
 */
export const MAX_INTERACTION_AGE_S = 300;
export const MAX_INTERACTION_LEAD_S = 60;

/** Why a request is refused; every refusal is answered 401, as Discord expects. */
export type SignatureVerdict = { readonly valid: true } | { readonly valid: false; readonly reason: string };

const HEX_32 = /^[0-9a-f]{64}$/i;
const HEX_64 = /^[0-9a-f]{128}$/i;

/** The application's public key (64 hex characters, as the developer portal shows it) as a key object. */
export function interactionPublicKey(hex: string): KeyObject {
  if (!HEX_32.test(hex)) throw new TypeError('an Ed25519 public key is 64 hexadecimal characters');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') },
    format: 'jwk',
  });
}

/**
 * Discord's check (https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers):
 * `X-Signature-Ed25519` is the hex signature of `X-Signature-Timestamp` followed by the raw body,
 * made with the application's key. The timestamp (seconds since the epoch) must also be recent.
 */
export function verifyInteraction(request: {
  readonly publicKey: KeyObject;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  readonly body: Buffer;
  /** ms since the epoch. */
  readonly now: number;
}): SignatureVerdict {
  const { signature, timestamp } = request;
  if (signature === undefined || timestamp === undefined)
    return { valid: false, reason: 'X-Signature-Ed25519 and X-Signature-Timestamp are required' };
  if (!HEX_64.test(signature)) return { valid: false, reason: 'the signature is not 64 hexadecimal bytes' };
  if (!/^\d{1,12}$/.test(timestamp))
    return { valid: false, reason: 'the timestamp is not seconds since the epoch' };
  const age = request.now / 1_000 - Number(timestamp);
  if (age > MAX_INTERACTION_AGE_S)
    return {
      valid: false,
      reason: `the request was signed ${Math.round(age)} s ago (at most ${MAX_INTERACTION_AGE_S} s)`,
    };
  if (age < -MAX_INTERACTION_LEAD_S)
    return { valid: false, reason: `the request is signed ${Math.round(-age)} s in the future` };
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), request.body]);
  return verify(null, signed, request.publicKey, Buffer.from(signature, 'hex'))
    ? { valid: true }
    : { valid: false, reason: 'the signature does not match' };
}
