/**
 * Admin keys. Only SHA-256 hashes are stored (keys carry 256 random bits, so a plain hash is
 * enough); a presented key is hashed and compared in constant time. The first key comes from the
 * deployment: a Secrets Manager secret on AWS, the local stack's key file locally.
 */

import { timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, secretsClient } from '../aws/clients.ts';
import { nowIso } from '../clock.ts';
import { optionalEnv, tableName } from '../config.ts';
import { AppError, notFound } from '../errors.ts';
import { newAdminKey, sha256Hex } from '../ids.ts';

export interface AdminKeyRecord {
  id: string;
  label: string;
  createdAt: string;
  revokedAt?: string;
  bootstrap?: boolean;
}

const keyId = (hash: string): string => `k_${hash.slice(0, 16)}`;
const sameHash = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

let bootstrapHash: Promise<string | undefined> | undefined;

/** The hash of the deployment's first key: ADMIN_KEY_HASH locally, the secret on AWS. */
function firstKeyHash(): Promise<string | undefined> {
  bootstrapHash ??= (async () => {
    const local = optionalEnv('ADMIN_KEY_HASH');
    if (local) return local.toLowerCase();
    const secretArn = optionalEnv('ADMIN_KEY_SECRET_ARN');
    if (!secretArn) return undefined;
    const secret = await secretsClient().send(new GetSecretValueCommand({ SecretId: secretArn }));
    return secret.SecretString ? sha256Hex(secret.SecretString.trim()) : undefined;
  })().catch((err: unknown) => {
    bootstrapHash = undefined; // try again on the next request
    throw err;
  });
  return bootstrapHash;
}

export function resetAdminKeyCache(): void {
  bootstrapHash = undefined;
}

/** Whether a key hash is the deployment's first key (which has no record unless revoked). */
export async function isDeploymentKeyHash(hash: string): Promise<boolean> {
  const first = await firstKeyHash();
  return first !== undefined && sameHash(first, hash);
}

/** The bearer token of a request, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Throws 401 without a key and 403 with a wrong or revoked one. */
export async function checkAdminKey(key: string | undefined): Promise<AdminKeyRecord> {
  if (!key) throw new AppError('unauthorized', 'missing admin key: send Authorization: Bearer <key>');
  const hash = sha256Hex(key);
  const stored = await dynamo().send(
    new GetCommand({ TableName: tableName('system'), Key: { pk: 'ADMINKEY', sk: hash } }),
  );
  const record = stored.Item as (AdminKeyRecord & { sk: string }) | undefined;
  if (record?.revokedAt) throw new AppError('forbidden', 'this admin key has been revoked');
  if (record && sameHash(record.sk, hash)) return record;
  const first = await firstKeyHash();
  if (first && sameHash(first, hash)) {
    return { id: keyId(hash), label: 'deployment key', createdAt: '', bootstrap: true };
  }
  throw new AppError('forbidden', 'wrong admin key');
}

export async function createAdminKey(label: string): Promise<{ key: string; record: AdminKeyRecord }> {
  const key = newAdminKey();
  const hash = sha256Hex(key);
  const record: AdminKeyRecord = { id: keyId(hash), label, createdAt: nowIso() };
  await dynamo().send(
    new PutCommand({ TableName: tableName('system'), Item: { pk: 'ADMINKEY', sk: hash, ...record } }),
  );
  return { key, record };
}

export async function listAdminKeys(): Promise<AdminKeyRecord[]> {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName('system'),
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': 'ADMINKEY' },
    }),
  );
  const records = (page.Items ?? []).map(({ pk: _p, sk: _s, ...r }) => r as AdminKeyRecord);
  const first = await firstKeyHash();
  if (first && !records.some((r) => r.id === keyId(first))) {
    records.unshift({ id: keyId(first), label: 'deployment key', createdAt: '', bootstrap: true });
  }
  return records;
}

/** Revokes a key by id; the deployment's first key can be revoked too (after another key exists). */
export async function revokeAdminKey(id: string, by: AdminKeyRecord): Promise<void> {
  if (id === by.id) throw new AppError('conflict', 'a key cannot revoke itself; use another admin key');
  const first = await firstKeyHash();
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName('system'),
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': 'ADMINKEY' },
    }),
  );
  const match = (page.Items ?? []).find((item) => item.id === id);
  const hash = match ? String(match.sk) : first && keyId(first) === id ? first : undefined;
  if (!hash) throw notFound(`admin key ${id} not found`);
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName('system'),
      Key: { pk: 'ADMINKEY', sk: hash },
      UpdateExpression:
        'SET revokedAt = :at, id = :id, label = if_not_exists(label, :label), createdAt = if_not_exists(createdAt, :empty)',
      ExpressionAttributeValues: { ':at': nowIso(), ':id': id, ':label': 'deployment key', ':empty': '' },
    }),
  );
}
