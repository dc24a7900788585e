/**
 * Reading a dashboard session (shared/auth/sessions.ts) against a mocked DynamoDB: the session and its
 * admin key's record come from one BatchGetItem; a key left unprocessed is read again and never taken
 * as "no record"; a revoked key, a rotated deployment key, an expired session or a cookie whose key
 * hash is not the session's all mean "signed out".
 */
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetAdminKeyCache } from '../../shared/auth/admin-keys.ts';
import { csrfMatches, readSession, type Session } from '../../shared/auth/sessions.ts';
import { resetConfigCache } from '../../shared/config.ts';
import { sha256Hex } from '../../shared/ids.ts';

process.env.SYSTEM_TABLE = 'system';
const ddb = mockClient(DynamoDBDocumentClient);

const id = 'A'.repeat(43);
const deploymentKey = 'npsw_deployment';
const otherKey = 'npsw_other';
const cookie = (key: string) => `${id}.${sha256Hex(key)}`;
const sessionItem = (key: string, over: Partial<Session> = {}) => ({
  pk: `SESSION#${sha256Hex(id)}`,
  sk: 'SESSION',
  idHash: sha256Hex(id),
  keyId: 'k_1',
  keyLabel: 'deployment key',
  keyHash: sha256Hex(key),
  csrf: 'c'.repeat(32),
  createdAt: '2026-12-01T00:00:00.000Z',
  expiresAtMs: Date.now() + 3_600_000,
  ...over,
});
const keyItem = (key: string, revoked = false) => ({
  pk: 'ADMINKEY',
  sk: sha256Hex(key),
  id: 'k_2',
  ...(revoked && { revokedAt: '2026-12-01T00:00:00.000Z' }),
});
const answer = (items: unknown[], unprocessed: unknown[] = []) => ({
  Responses: { system: items as Record<string, unknown>[] },
  ...(unprocessed.length && {
    UnprocessedKeys: { system: { Keys: unprocessed as Record<string, unknown>[] } },
  }),
});

describe('reading a dashboard session', () => {
  beforeEach(() => {
    ddb.reset();
    process.env.ADMIN_KEY_HASH = sha256Hex(deploymentKey);
    resetConfigCache();
    resetAdminKeyCache();
  });

  it('accepts a live session of the deployment key (which has no record) in one request', async () => {
    ddb.on(BatchGetCommand).resolves(answer([sessionItem(deploymentKey)]));
    const session = await readSession(cookie(deploymentKey));
    expect(session?.csrf).toBe('c'.repeat(32));
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
    const input = ddb.commandCalls(BatchGetCommand)[0]?.args[0].input;
    expect(input?.RequestItems?.system?.ConsistentRead).toBe(true);
    expect(input?.RequestItems?.system?.Keys).toHaveLength(2);
  });

  it('reads a key left unprocessed again, and then sees it revoked', async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce(answer([sessionItem(otherKey)], [{ pk: 'ADMINKEY', sk: sha256Hex(otherKey) }]))
      .resolves(answer([keyItem(otherKey, true)]));
    expect(await readSession(cookie(otherKey))).toBeUndefined();
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(2);
  });

  it('fails rather than guess when the key record is never read', async () => {
    ddb
      .on(BatchGetCommand)
      .resolves(answer([sessionItem(otherKey)], [{ pk: 'ADMINKEY', sk: sha256Hex(otherKey) }]));
    await expect(readSession(cookie(otherKey))).rejects.toMatchObject({ code: 'throttled' });
  });

  it('ends the sessions of a rotated deployment key (no record, not the current key)', async () => {
    ddb.on(BatchGetCommand).resolves(answer([sessionItem(otherKey)]));
    expect(await readSession(cookie(otherKey))).toBeUndefined();
    ddb.on(BatchGetCommand).resolves(answer([sessionItem(otherKey), keyItem(otherKey)]));
    expect(await readSession(cookie(otherKey))).toBeDefined();
  });

  it('refuses an expired session, a swapped key hash, and malformed cookies without reading', async () => {
    ddb.on(BatchGetCommand).resolves(answer([sessionItem(deploymentKey, { expiresAtMs: Date.now() - 1 })]));
    expect(await readSession(cookie(deploymentKey))).toBeUndefined();
    ddb.on(BatchGetCommand).resolves(answer([sessionItem(deploymentKey), keyItem(otherKey)]));
    expect(await readSession(cookie(otherKey))).toBeUndefined();
    ddb.reset();
    for (const bad of [undefined, '', id, `${id}.xyz`, `${'A'.repeat(42)}.${sha256Hex(otherKey)}`]) {
      expect(await readSession(bad)).toBeUndefined();
    }
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
  });

  it('compares CSRF tokens exactly', () => {
    const session = sessionItem(deploymentKey) as unknown as Session;
    expect(csrfMatches(session, 'c'.repeat(32))).toBe(true);
    expect(csrfMatches(session, 'c'.repeat(31))).toBe(false);
    expect(csrfMatches(session, `${'c'.repeat(31)}d`)).toBe(false);
    expect(csrfMatches(session, null)).toBe(false);
  });
});
