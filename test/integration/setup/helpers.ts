/**
 * Helpers for integration tests against the shared local stack (started by global.ts).
 *
 * The stack's clock lives in Vitest's main process: move it with `advanceClock` and take "now" from
 * its answer, not from shared/clock.ts in the test process.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';

export interface StackInfo {
  url: string;
  adminKey: string;
  sesUrl: string;
  dynamoUrl: string;
  controlUrl: string;
}

export const stack = (): StackInfo => ({
  url: inject('url'),
  adminKey: inject('adminKey'),
  sesUrl: inject('sesUrl'),
  dynamoUrl: inject('dynamoUrl'),
  controlUrl: inject('controlUrl'),
});

export interface ApiOptions {
  method?: string;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** The admin key to send; `null` sends none. Default: the stack's admin key. */
  key?: string | null;
  headers?: Record<string, string>;
  /** Base URL; default the shared stack's gateway. */
  baseUrl?: string;
}

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: T;
}

/** Calls the gateway: `await api('/api/contacts', { method: 'POST', body: {...} })`. */
export async function api<T = unknown>(path: string, options: ApiOptions = {}): Promise<ApiAnswer<T>> {
  const info = stack();
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? info.adminKey : options.key;
  if (key !== null) headers.authorization ??= `Bearer ${key}`;
  let body: string | undefined;
  if (typeof options.body === 'string') {
    body = options.body;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${options.baseUrl ?? info.url}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    redirect: 'manual',
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}

/** Calls the gateway like `api`, insisting on a 2xx answer: its JSON body. */
export async function apiOk<T = unknown>(path: string, options: ApiOptions = {}): Promise<T> {
  const answer = await api<T>(path, options);
  if (answer.status < 200 || answer.status > 299) {
    const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
    throw new Error(`${method} ${path} answered ${answer.status}: ${answer.text}`);
  }
  return answer.json;
}

/** An email as aws-ses-v2-local keeps it (`GET /store`). */
export interface OutboxEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments?: unknown[];
  /** Epoch seconds (real time, not the stack's clock). */
  at: number;
  headers?: { name: string; value: string }[];
}

/** Every email sent so far; `to` keeps those addressed to one recipient. */
export async function outbox(filter: { to?: string; since?: number } = {}): Promise<OutboxEmail[]> {
  const query = filter.since === undefined ? '' : `?since=${Math.floor(filter.since)}`;
  const response = await fetch(`${stack().sesUrl}/store${query}`);
  if (!response.ok) throw new Error(`outbox answered ${response.status}`);
  const { emails } = (await response.json()) as { emails: OutboxEmail[] };
  const to = filter.to?.toLowerCase();
  return to === undefined
    ? emails
    : emails.filter((e) => e.destination.to.some((t) => t.toLowerCase() === to));
}

export async function clearOutbox(): Promise<void> {
  await fetch(`${stack().sesUrl}/clear-store`, { method: 'POST' });
}

/**
 * Moves the stack's clock forward, running every schedule due on the way to completion (and the
 * stream consumers after them). Answers the stack's new "now". `advanceClock(0)` just settles.
 */
export async function advanceClock(seconds: number, baseUrl = stack().url): Promise<Date> {
  const response = await fetch(`${baseUrl}/_local/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: seconds }),
  });
  if (!response.ok) throw new Error(`/_local/clock answered ${response.status}: ${await response.text()}`);
  return new Date(((await response.json()) as { now: string }).now);
}

export const days = (n: number): number => n * 86_400;

const sdkConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'npswavelocal', secretAccessKey: 'npswavelocal' },
});

/** SDK clients pointed at the shared stack's stand-ins. */
export const dynamoClient = (endpoint = stack().dynamoUrl) => new DynamoDBClient(sdkConfig(endpoint));
export const documentClient = (endpoint = stack().dynamoUrl) =>
  DynamoDBDocumentClient.from(dynamoClient(endpoint), { marshallOptions: { removeUndefinedValues: true } });
export const schedulerClient = (endpoint = stack().controlUrl) => new SchedulerClient(sdkConfig(endpoint));
export const lambdaClient = (endpoint = stack().controlUrl) => new LambdaClient(sdkConfig(endpoint));

/** Local table names: `npswave-<id>`. */
export const tableName = (
  id: 'contacts' | 'surveys' | 'invitations' | 'aggregates' | 'system' | 'alerts',
): string => `npswave-${id}`;

/**
 * Every invitation of a wave as stored, by contact: the keys from the byWaveKeys index (keys only),
 * then the invitations themselves, strongly consistent.
 */
export async function waveInvitations(
  waveId: string,
  endpoint = stack().dynamoUrl,
): Promise<Record<string, unknown>[]> {
  const client = documentClient(endpoint);
  try {
    const tokens: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName('invitations'),
          IndexName: 'byWaveKeys',
          KeyConditionExpression: 'waveId = :w',
          ExpressionAttributeValues: { ':w': waveId },
          ExclusiveStartKey: start,
        }),
      );
      tokens.push(...(page.Items ?? []).map((item) => String(item.token)));
      start = page.LastEvaluatedKey;
    } while (start);
    const found = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < tokens.length; i += 100) {
      let keys: Record<string, unknown>[] = tokens.slice(i, i + 100).map((token) => ({ token }));
      while (keys.length > 0) {
        const read = await client.send(
          new BatchGetCommand({
            RequestItems: { [tableName('invitations')]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of read.Responses?.[tableName('invitations')] ?? [])
          found.set(String(item.token), item);
        keys = (read.UnprocessedKeys?.[tableName('invitations')]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return tokens.flatMap((token): Record<string, unknown>[] => {
      const item = found.get(token);
      return item ? [item] : [];
    });
  } finally {
    client.destroy();
  }
}
