/**
 * Identifiers and tokens. Ids are random (80 bits) and readable; a contact's id is derived from its
 * lower-cased email so that an upsert needs no lock; invitation tokens are HMACs of the contact id
 * under a per-wave secret, so a resumed wave finds the token it already made for a contact.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export type IdPrefix = 's' | 'w' | 'f' | 'k' | 'i';

/** A new random id such as `s_k2j4h5g6f7d8s9a2`: 80 random bits. */
export const newId = (prefix: IdPrefix): string => `${prefix}_${base32(randomBytes(10))}`;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** The contact id for an email: stable, so upserts by email are single writes. */
export const contactIdFor = (email: string): string =>
  `c_${base32(
    createHash('sha256')
      .update(`npswave:contact:${normalizeEmail(email)}`)
      .digest(),
  ).slice(0, 20)}`;

/** A fresh secret for a wave (256 bits), never shown to anyone. */
export const newWaveSecret = (): string => randomBytes(32).toString('base64url');

/**
 * The invitation token: the survey id (so a page needs one round trip for both items) and 144 bits
 * of HMAC, URL-safe. Unguessable without the wave's secret.
 */
export function invitationToken(surveyId: string, waveSecret: string, contactId: string): string {
  const mac = createHmac('sha256', waveSecret).update(contactId).digest().subarray(0, 18);
  return `${surveyId}.${mac.toString('base64url')}`;
}

/** A random token for invitations that have no contact (link surveys): 144 random bits. */
export const randomToken = (surveyId: string): string =>
  `${surveyId}.${randomBytes(18).toString('base64url')}`;

/**
 * The respondent of a link-survey answer: no contact, but a stable id of its own, so that the
 * answer is listed under its wave like any other (the byWaveKeys index is sorted by contact id).
 */
export const linkRespondentId = (): string => `link_${randomBytes(10).toString('hex')}`;

/**
 * Stands in for a contact erased on request: the answer stays listed under its wave (the byWaveKeys
 * index needs a contact id), and nothing leads back to the person.
 */
export const erasedContactId = (): string => `erased_${randomBytes(10).toString('hex')}`;

/** Whether an invitation's contact id names a real contact (not a link respondent, an anonymised or an erased one). */
export const isContactId = (id: string | undefined): id is string =>
  id !== undefined && !/^(link|anon|erased)_/.test(id);

/**
 * How a token appears in logs: its survey and a short hash, enough to find the invitation again
 * (hash the token you have and compare) and useless to open its page. Logs are read by more people
 * and kept longer than the table; a token in them would be a key to someone's answer.
 */
export const tokenRef = (token: string): string =>
  `${surveyIdOfToken(token) || '?'}.#${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;

const tokenPattern = /^s_[a-z2-7]{16}\.[A-Za-z0-9_-]{24}$/;
export const isWellFormedToken = (token: string): boolean => tokenPattern.test(token);
export const surveyIdOfToken = (token: string): string => token.slice(0, token.indexOf('.'));

/** A new admin key: 256 random bits, prefixed so that secret scanners recognise it. */
export const newAdminKey = (): string => `npsw_${randomBytes(32).toString('base64url')}`;
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
