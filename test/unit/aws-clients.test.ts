/**
 * What every DynamoDB request of ours gets from the client itself (shared/aws/clients.ts): a
 * transaction conflict (which applied nothing) is tried again, anything else is not; and the
 * request guard the local Lambda stand-in uses stops a timed-out invocation at its next AWS call;
 * SES's idle sockets are closed before a server would close them under a call.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamo, guardRequests, resetClients, sesClient } from '../../shared/aws/clients.ts';

let server: Server;
const answers: { status: number; body: Record<string, unknown> }[] = [];
const received: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['x-amz-target']));
      const answer = answers.shift() ?? { status: 200, body: {} };
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  resetClients();
});
afterAll(async () => {
  guardRequests(undefined);
  resetClients();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  answers.length = 0;
  received.length = 0;
  guardRequests(undefined);
});

const type = (name: string) => `com.amazonaws.dynamodb.v20120810#${name}`;
const update = () =>
  dynamo().send(
    new UpdateCommand({
      TableName: 't',
      Key: { pk: 'a' },
      UpdateExpression: 'SET x = :x',
      ExpressionAttributeValues: { ':x': 1 },
    }),
  );

describe('the DynamoDB client', () => {
  it('tries a plain write again after TransactionConflictException (nothing was applied)', async () => {
    answers.push(
      {
        status: 400,
        body: {
          __type: type('TransactionConflictException'),
          message: 'Transaction is ongoing for the item',
        },
      },
      {
        status: 400,
        body: {
          __type: type('TransactionConflictException'),
          message: 'Transaction is ongoing for the item',
        },
      },
    );
    await update();
    expect(received).toHaveLength(3);
  });

  it('tries a transaction again when it was cancelled for a conflict only', async () => {
    answers.push({
      status: 400,
      body: {
        __type: type('TransactionCanceledException'),
        message: 'Transaction cancelled [None, TransactionConflict]',
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      },
    });
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: 't',
              Key: { pk: 'a' },
              UpdateExpression: 'SET x = :x',
              ExpressionAttributeValues: { ':x': 1 },
            },
          },
          {
            Update: {
              TableName: 't',
              Key: { pk: 'b' },
              UpdateExpression: 'SET x = :x',
              ExpressionAttributeValues: { ':x': 1 },
            },
          },
        ],
      }),
    );
    expect(received).toHaveLength(2);
  });

  it('does not try a failed condition again', async () => {
    answers.push({ status: 400, body: { __type: type('ConditionalCheckFailedException'), message: 'no' } });
    await expect(update()).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(received).toHaveLength(1);
  });

  it('closes an idle SES socket before a server that drops idle sockets after 5 s would reset a call on it', async () => {
    const closed: number[] = [];
    const ses = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ MessageId: 'm-1' }));
      });
    });
    ses.on('connection', (socket) => socket.on('close', () => closed.push(Date.now())));
    await new Promise<void>((resolve) => ses.listen(0, '127.0.0.1', resolve));
    process.env.AWS_ENDPOINT_URL_SESV2 = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
    resetClients();
    try {
      const email = new SendEmailCommand({
        FromEmailAddress: 'surveys@example.com',
        Destination: { ToAddresses: ['a@example.com'] },
        Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
      });
      const sentAt = Date.now();
      expect((await sesClient().send(email)).MessageId).toBe('m-1');
      // Kept alive for the next call meanwhile: two calls in a row share one socket.
      await sesClient().send(email);
      expect(closed).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 4_600));
      expect(closed).toHaveLength(1);
      expect((closed[0] ?? 0) - sentAt).toBeLessThan(4_900);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_SESV2;
      resetClients();
      ses.closeAllConnections();
      await new Promise((resolve) => ses.close(resolve));
    }
  });

  it('stops a request the guard refuses before it leaves (an invocation past its timeout)', async () => {
    guardRequests(() => {
      throw Object.assign(new Error('stopped at its timeout'), { name: 'Sandbox.Timedout' });
    });
    await expect(update()).rejects.toThrow('stopped at its timeout');
    expect(received).toHaveLength(0);
  });
});
