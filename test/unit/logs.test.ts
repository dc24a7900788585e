/**
 * Invitation tokens open a person's answer page, so they never reach a log: failures name an
 * invitation by `tokenRef` (its survey and a short hash), from which the token cannot be recovered.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/score/handler.ts';
import { tokenRef } from '../../shared/ids.ts';

process.env.INVITATIONS_TABLE = 'invitations';
const ddb = mockClient(DynamoDBDocumentClient);
const token = 's_aaaaaaaaaaaaaaaa.QUJDREVGR0hJSktMTU5PUFFS';

describe('logs', () => {
  afterEach(() => {
    ddb.reset();
    vi.restoreAllMocks();
  });

  it('name a failed invitation by its reference, never by its token', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    ddb
      .on(GetCommand)
      .rejects(Object.assign(new Error('InternalServerError'), { name: 'InternalServerError' }));
    const answer = await handler({
      Records: [
        {
          dynamodb: {
            Keys: { token: { S: token } },
            NewImage: { token: { S: token }, responseVersion: { N: '1' } },
            SequenceNumber: '42',
          },
        },
      ],
    } as never);
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: '42' }]);
    const text = logged.mock.calls.map((call) => call.map(String).join(' ')).join('\n');
    expect(text).toContain(tokenRef(token));
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[1]);
  });

  it('make a reference that keeps the survey and hides the rest', () => {
    expect(tokenRef(token)).toMatch(/^s_aaaaaaaaaaaaaaaa\.#[0-9a-f]{12}$/);
    expect(tokenRef(token)).not.toBe(tokenRef(`${token.slice(0, -1)}T`));
  });
});
