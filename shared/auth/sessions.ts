/**
 * Dashboard sessions. Signing in with an admin key makes a server-side session: an item in the
 * system table under the SHA-256 of a random 256-bit id (the cookie holds the id, the table only
 * its hash), with an expiry the code checks and a TTL that clears it later. Each session carries
 * its own CSRF token for the dashboard's forms. A session ends at sign-out, at its expiry, or when
 * the admin key it was opened with is revoked.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { BatchGetCommand, DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { nowIso, nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import { AppError } from '../errors.ts';
import { sha256Hex } from '../ids.ts';
import { backOff } from '../retry.ts';
import { type AdminKeyRecord, isDeploymentKeyHash } from './admin-keys.ts';

/** A working day and then some: a session opened in the morning lasts until the evening. */
export const sessionLifetimeMs = 12 * 3_600_000;
export const sessionCookie = 'npsw_session';
/** The cookie reaches the dashboard's paths only, never the public pages or the JSON API. */
export const sessionCookiePath = '/admin';

export interface Session {
  /** The session's id hash: its key in the table. */
  idHash: string;
  keyId: string;
  keyLabel: string;
  /** SHA-256 of the admin key it was opened with, to notice that key's revocation. */
  keyHash: string;
  csrf: string;
  createdAt: string;
  expiresAtMs: number;
}

const sessionKey = (idHash: string) => ({ pk: `SESSION#${idHash}`, sk: 'SESSION' });

/**
 * The cookie's value: the session id and the SHA-256 of its admin key, so that one request can read
 * the session and the key's record together. The hash reveals nothing of the key (256 random bits)
 * and must match the session's own, so it cannot be swapped for another key's.
 */
const cookieValueOf = (id: string, keyHash: string): string => `${id}.${keyHash}`;
const cookiePattern = /^([A-Za-z0-9_-]{43})\.([0-9a-f]{64})$/;

/** Opens a session for a caller whose admin key was just checked; answers the cookie's value. */
export async function createSession(
  caller: AdminKeyRecord,
  keyHash: string,
): Promise<{ cookieValue: string; session: Session }> {
  const id = randomBytes(32).toString('base64url');
  const session: Session = {
    idHash: sha256Hex(id),
    keyId: caller.id,
    keyLabel: caller.label,
    keyHash,
    csrf: randomBytes(24).toString('base64url'),
    createdAt: nowIso(),
    expiresAtMs: nowMs() + sessionLifetimeMs,
  };
  await dynamo().send(
    new PutCommand({
      TableName: tableName('system'),
      Item: {
        ...sessionKey(session.idHash),
        ...session,
        // TTL (epoch seconds, real time) only tidies up; the expiry above is what the code checks.
        expiresAt: Math.ceil((Date.now() + sessionLifetimeMs) / 1000) + 3600,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { cookieValue: cookieValueOf(id, keyHash), session };
}

/**
 * The live session a cookie names, or undefined: one strongly consistent BatchGetItem reads the
 * session and its admin key's record together, so a revoked key ends its sessions at once.
 */
export async function readSession(cookieValue: string | undefined): Promise<Session | undefined> {
  const parsed = cookiePattern.exec(cookieValue ?? '');
  if (!parsed) return undefined;
  const [, id, keyHash] = parsed as unknown as [string, string, string];
  const idHash = sha256Hex(id);
  const items = await readBoth(sessionKey(idHash), { pk: 'ADMINKEY', sk: keyHash });
  const item = items.find((i) => i.pk === sessionKey(idHash).pk) as (Session & { pk: string }) | undefined;
  const key = items.find((i) => i.pk === 'ADMINKEY');
  if (!item || item.keyHash !== keyHash || key?.revokedAt) return undefined;
  // No record of the key: only the deployment's own key has none. A session opened with an earlier
  // deployment key (the secret was rotated since) ends with it.
  if (!key && !(await isDeploymentKeyHash(keyHash))) return undefined;
  if (typeof item.expiresAtMs !== 'number' || item.expiresAtMs <= nowMs()) return undefined;
  return {
    idHash: item.idHash,
    keyId: item.keyId,
    keyLabel: item.keyLabel,
    keyHash: item.keyHash,
    csrf: item.csrf,
    createdAt: item.createdAt,
    expiresAtMs: item.expiresAtMs,
  };
}

/**
 * Reads the session and its key's record in one strongly consistent BatchGetItem. A key left
 * unprocessed (DynamoDB under pressure) is read again; one never read is an error, never taken as
 * "no such record", which would let a revoked key's session through.
 */
async function readBoth(...keys: Record<string, string>[]): Promise<Record<string, unknown>[]> {
  const table = tableName('system');
  const found: Record<string, unknown>[] = [];
  let pending: Record<string, unknown>[] = keys;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 4) throw new AppError('throttled', 'the session could not be read; try again');
    if (attempt > 0) await backOff(attempt, 20, 500);
    const read = await dynamo().send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
    );
    found.push(...(read.Responses?.[table] ?? []));
    pending = read.UnprocessedKeys?.[table]?.Keys ?? [];
  }
  return found;
}

export async function endSession(cookieValue: string | undefined): Promise<void> {
  const parsed = cookiePattern.exec(cookieValue ?? '');
  if (!parsed?.[1]) return;
  await dynamo().send(
    new DeleteCommand({ TableName: tableName('system'), Key: sessionKey(sha256Hex(parsed[1])) }),
  );
}

/** Whether a form's CSRF field matches the session's token (constant time). */
export function csrfMatches(session: Session, token: string | null | undefined): boolean {
  if (!token) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
