/**
 * The sealed contact id: what an anonymous survey's answered invitation carries instead of its
 * contact. It is the contact id encrypted under a key drawn from the wave's secret, so
 *   - nothing an admin reads (API, CSV, feed, timeline) can join the answer to a person, and the
 *     table alone does not either: opening it takes the wave's secret, which never leaves the
 *     server (the same secret the invitation's token is an HMAC of, so it links nothing the token
 *     did not already);
 *   - the server can still reach the contact for what the contact asks of it (one-click
 *     unsubscribe) and for what SES reports about it (a complaint);
 *   - it is deterministic (a synthetic IV, as AES-SIV does), so erasure, which knows the contact and
 *     the wave, finds the sealed invitations with the same key lookup in byWaveKeys as plain ones.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const prefix = 'anon_';
const ivBytes = 12;
const tagBytes = 16;

function keysOf(waveSecret: string): { enc: Buffer; iv: Buffer } {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', waveSecret, 'npswave', info, 32));
  return { enc: derive('sealed-contact:enc'), iv: derive('sealed-contact:iv') };
}

const syntheticIv = (key: Buffer, contactId: string): Buffer =>
  createHmac('sha256', key).update(contactId).digest().subarray(0, ivBytes);

/** `anon_…`: the contact id sealed under the wave's secret; the same inputs give the same value. */
export function sealContactId(waveSecret: string, contactId: string): string {
  const keys = keysOf(waveSecret);
  const iv = syntheticIv(keys.iv, contactId);
  const cipher = createCipheriv('aes-256-gcm', keys.enc, iv);
  const sealed = Buffer.concat([cipher.update(contactId, 'utf8'), cipher.final()]);
  return `${prefix}${Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url')}`;
}

/**
 * The contact id inside a sealed one, or undefined when it is not one sealed with this secret (an
 * older invitation's random `anon_` id, a link respondent, an erased contact).
 */
export function unsealContactId(waveSecret: string, sealed: string): string | undefined {
  if (!sealed.startsWith(prefix)) return undefined;
  const raw = Buffer.from(sealed.slice(prefix.length), 'base64url');
  if (raw.length <= ivBytes + tagBytes) return undefined;
  const keys = keysOf(waveSecret);
  const iv = raw.subarray(0, ivBytes);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.enc, iv);
    decipher.setAuthTag(raw.subarray(raw.length - tagBytes));
    const contactId = Buffer.concat([
      decipher.update(raw.subarray(ivBytes, raw.length - tagBytes)),
      decipher.final(),
    ]).toString('utf8');
    // The IV is a MAC of the plaintext: checking it makes the value one this function made.
    return timingSafeEqual(iv, syntheticIv(keys.iv, contactId)) ? contactId : undefined;
  } catch {
    return undefined;
  }
}
