/**
 * An answer's reference: what webhooks, Slack, alert emails and follow-ups name an answer by. The
 * token opens the respondent's own page and must never leave the stack, so the reference is a hash of
 * it, and the `alerts` table keeps the way back (pk RESPONSE#ref) for the dashboard's answer page.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { requireEnv, tableName } from '../config.ts';
import { sha256Hex } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { getInvitation } from '../invitation/store.ts';

export const responseRef = (token: string): string => `r_${sha256Hex(`response-ref:${token}`).slice(0, 24)}`;
export const isResponseRef = (ref: string): boolean => /^r_[0-9a-f]{24}$/.test(ref);

/** The answer in the dashboard: a signed-in admin's page, useless to anyone else. */
export const responseUrl = (ref: string): string =>
  `${requireEnv('PUBLIC_URL').replace(/\/$/, '')}/admin/responses/${ref}`;

export const responseRefKey = (ref: string) => ({ pk: `RESPONSE#${ref}`, sk: 'REF' });

/** The item to write (once) with the first alert of an answer. */
export const responseRefItem = (token: string, surveyId: string) => ({
  ...responseRefKey(responseRef(token)),
  token,
  surveyId,
});

/** The answer a reference names, if an alert ever made one for it. */
export async function answerOfRef(ref: string): Promise<Invitation | undefined> {
  if (!isResponseRef(ref)) return undefined;
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('alerts'), Key: responseRefKey(ref) }),
  );
  const token = typeof Item?.token === 'string' ? Item.token : undefined;
  return token ? getInvitation(token, false) : undefined;
}
