/**
 * Proxies between the handlers and the DynamoDB and SES stand-ins that behave as AWS does on a bad
 * day (NPSWAVE_FAULTS). Only the handlers' endpoints point here: the stream poller, the SES event
 * feed and the tests read the stand-ins directly, unfaulted.
 *
 * DynamoDB: an item a transaction wrote within the last second counts as held by a transaction in
 * flight (a real one holds it for milliseconds, so local runs would almost never collide). A plain
 * write to a held item fails at the configured share with `TransactionConflictException`, and a
 * transaction touching a held item is cancelled with `TransactionCanceledException` (reason
 * `TransactionConflict`) at the same share; neither applies anything, as on AWS.
 *
 * Any DynamoDB request of the handlers (a read or a write) is throttled at its share: 400
 * `ProvisionedThroughputExceededException`, nothing read or applied, as a table (or one of its
 * partitions) past what it can serve answers. The SDK tries it again after a throttling back-off,
 * so a throttled table shows as longer round trips, and past the SDK's retry quota as an error.
 *
 * SES: `SendEmail` is throttled at its share (429 `TooManyRequestsException`, nothing sent), and at
 * its share the email is sent but the answer lost: the connection is reset after the stand-in took
 * the message, so the caller sees an error with no HTTP status.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { tableDefinitions, tableIds } from '../shared/tables.ts';
import { localTableName } from './env.ts';
import type { Faults } from './faults.ts';
import { closeServer, listen, readBody } from './http-util.ts';
import type { Log } from './log.ts';
import { loopback } from './ports.ts';

export interface FaultProxy {
  url: string;
  close(): Promise<void>;
}

const heldForMs = 1_000;
const maxBodyBytes = 32 * 1024 * 1024;

type AttributeMap = Record<string, Record<string, unknown>>;

/** Key attribute names by physical table name. */
const keyNames = new Map<string, string[]>(
  tableIds.map((id) => {
    const table = tableDefinitions[id];
    return [localTableName(id), [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : [])]];
  }),
);

function itemKey(table: string, keyOrItem: AttributeMap | undefined): string | undefined {
  const names = keyNames.get(table);
  if (!names || !keyOrItem) return undefined;
  return `${table}|${names.map((n) => JSON.stringify(keyOrItem[n] ?? null)).join('|')}`;
}

/** The items a write names: one for Put/Update/Delete, one per action for TransactWriteItems. */
function writtenItems(operation: string, body: Record<string, unknown>): (string | undefined)[] {
  const table = String(body.TableName ?? '');
  if (operation === 'PutItem') return [itemKey(table, body.Item as AttributeMap)];
  if (operation === 'UpdateItem' || operation === 'DeleteItem')
    return [itemKey(table, body.Key as AttributeMap)];
  if (operation === 'TransactWriteItems') {
    return ((body.TransactItems as Record<string, Record<string, unknown>>[]) ?? []).map((action) => {
      const [kind, detail] = Object.entries(action)[0] ?? [];
      if (!kind || !detail) return undefined;
      const name = String(detail.TableName ?? '');
      return itemKey(name, (kind === 'Put' ? detail.Item : detail.Key) as AttributeMap);
    });
  }
  return [];
}

function forward(
  target: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function relay(
  res: ServerResponse,
  answer: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer },
): void {
  const headers = { ...answer.headers };
  delete headers['transfer-encoding'];
  delete headers.connection;
  headers['content-length'] = String(answer.body.length);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

async function startProxy(
  upstreamUrl: string,
  log: Log,
  name: string,
  handle: (req: IncomingMessage, body: Buffer, res: ServerResponse, target: URL) => Promise<void>,
): Promise<FaultProxy> {
  const target = new URL(upstreamUrl);
  const server: Server = createServer((req, res) => {
    readBody(req, maxBodyBytes)
      .then((body) => handle(req, body, res, target))
      .catch((err: unknown) => {
        log(`${name} fault proxy: ${(err as Error).message}`);
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
  });
  const port = await listen(server, 0, loopback);
  return { url: `http://${loopback}:${port}`, close: () => closeServer(server) };
}

function dynamoError(res: ServerResponse, type: string, body: Record<string, unknown>): void {
  const text = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, ...body });
  res.writeHead(400, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': `fault-${Date.now()}`,
  });
  res.end(text);
}

export function startDynamoFaultProxy(upstreamUrl: string, faults: Faults, log: Log): Promise<FaultProxy> {
  /** Item → until when a transaction holds it (epoch ms, real time). */
  const held = new Map<string, number>();
  const isHeld = (key: string | undefined, now: number) => key !== undefined && (held.get(key) ?? 0) > now;
  let sweptAt = 0;
  return startProxy(upstreamUrl, log, 'DynamoDB', async (req, body, res, target) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (faults.roll('dynamoThrottles')) {
      dynamoError(res, 'ProvisionedThroughputExceededException', {
        message:
          'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
      });
      return;
    }
    const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems'].includes(operation);
    if (writes) {
      const now = Date.now();
      if (now - sweptAt > 5_000) {
        for (const [key, until] of held) if (until <= now) held.delete(key);
        sweptAt = now;
      }
      const items = writtenItems(operation, JSON.parse(body.toString('utf8') || '{}'));
      const clash = items.map((key) => isHeld(key, now));
      if (clash.some(Boolean) && faults.roll('transactionConflicts')) {
        if (operation === 'TransactWriteItems') {
          const reasons = clash.map((c) =>
            c
              ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
              : { Code: 'None' },
          );
          dynamoError(res, 'TransactionCanceledException', {
            message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
            CancellationReasons: reasons,
          });
        } else {
          dynamoError(res, 'TransactionConflictException', {
            message: 'Transaction is ongoing for the item',
          });
        }
        return;
      }
      if (operation === 'TransactWriteItems') {
        for (const key of items) if (key) held.set(key, now + heldForMs);
      }
    }
    relay(res, await forward(target, req, body));
  });
}

export function startSesFaultProxy(upstreamUrl: string, faults: Faults, log: Log): Promise<FaultProxy> {
  return startProxy(upstreamUrl, log, 'SES', async (req, body, res, target) => {
    const sending = req.method === 'POST' && (req.url ?? '').startsWith('/v2/email/outbound-emails');
    if (sending && faults.roll('sesThrottles')) {
      const text = JSON.stringify({ message: 'Maximum sending rate exceeded.' });
      res.writeHead(429, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
        'x-amzn-errortype': 'TooManyRequestsException',
      });
      res.end(text);
      return;
    }
    const answer = await forward(target, req, body);
    if (sending && answer.status === 200 && faults.roll('sesLostResponses')) {
      // The stand-in has the email; the caller never hears so.
      res.socket?.destroy();
      return;
    }
    relay(res, answer);
  });
}
