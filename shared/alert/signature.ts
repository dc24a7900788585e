/**
 * Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`,
 * keyed with the bytes of a `whsec_` secret. During a rotation both the new and the previous secret
 * sign, space-separated, as the spec allows, so a receiver holding either verifies.
 */
import { createHmac } from 'node:crypto';
import { secretKey } from './rules.ts';

export function signature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

export interface SigningSecrets {
  secret: string;
  previousSecret?: string;
  previousSecretUntil?: string;
}

/** The headers of one attempt: the same id on every attempt, a fresh timestamp and signature. */
export function webhookHeaders(
  secrets: SigningSecrets,
  id: string,
  body: string,
  atMs: number,
): Record<string, string> {
  const timestamp = Math.floor(atMs / 1000);
  const signatures = [signature(secrets.secret, id, timestamp, body)];
  const stillRotating =
    secrets.previousSecretUntil !== undefined && Date.parse(secrets.previousSecretUntil) > atMs;
  if (secrets.previousSecret && stillRotating)
    signatures.push(signature(secrets.previousSecret, id, timestamp, body));
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}
