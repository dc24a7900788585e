/**
 * The contact's "surveyed" stamps, taken in one conditional write just before SES is called, and
 * put back when SES refused the email for good (the contact was not surveyed).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure, itemOfConditionFailure } from '../aws/dynamo-errors.ts';
import { nowMs } from '../clock.ts';
import { tableName } from '../config.ts';
import type { Contact } from '../contact/schema.ts';
import type { Invitation } from '../invitation/schema.ts';
import { skipIfSurveyedDays } from '../survey/lifecycle.ts';
import type { Survey } from '../survey/schema.ts';
import { contactThrottleDays } from './selection.ts';

const dayMs = 86_400_000;

export type SurveyedStamp =
  /** `contact`: the contact as it was just before the stamp (what the email needs of it). */
  { taken: true; contact: Contact; release(): Promise<void> } | { taken: false; reason: string };

/**
 * Takes the contact's "surveyed" stamps for this invitation just before SES is called, in one
 * conditional write. Selection judged the skip rules on what it read then, so two waves of one
 * survey sending at once (a second start while the first is still sending), or two surveys under the
 * account-wide throttle, would both email a contact neither had stamped yet. The stamps name the
 * invitation (`surveyedBy`, `lastSurveyedBy`), so the same invitation tried again (a retry, a
 * stale claim taken over) passes. The same write also checks that the contact is still subscribed,
 * and answers the contact as it was, so the sender needs no read of it.
 * `release` puts back what was there before, when SES refused the email for good.
 */
export async function claimSurveyed(
  inv: Invitation,
  survey: Survey,
  contactId: string,
): Promise<SurveyedStamp> {
  const at = nowMs();
  const conditions = ['#status = :subscribed'];
  const values: Record<string, unknown> = {
    ':at': new Date(at).toISOString(),
    ':token': inv.token,
    ':subscribed': 'subscribed',
  };
  const skipDays = skipIfSurveyedDays(survey);
  if (skipDays > 0) {
    conditions.push(
      '(attribute_not_exists(surveyed.#s) OR surveyed.#s < :surveyCutoff OR surveyedBy.#s = :token)',
    );
    values[':surveyCutoff'] = new Date(at - skipDays * dayMs).toISOString();
  }
  const accountDays = contactThrottleDays();
  if (accountDays > 0) {
    conditions.push(
      '(attribute_not_exists(lastSurveyedAt) OR lastSurveyedAt < :accountCutoff OR lastSurveyedBy = :token)',
    );
    values[':accountCutoff'] = new Date(at - accountDays * dayMs).toISOString();
  }
  const stamp = () =>
    dynamo().send(
      new UpdateCommand({
        TableName: tableName('contacts'),
        Key: { id: contactId },
        UpdateExpression:
          'SET surveyed.#s = :at, surveyedBy.#s = :token, lastSurveyedAt = :at, lastSurveyedBy = :token',
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#s': survey.id, '#status': 'status' },
        ExpressionAttributeValues: values,
        // The whole contact as it was: the email's name, locale and time zone, and the stamps to put back.
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  let old: Partial<Contact> | undefined;
  try {
    try {
      old = (await stamp()).Attributes as Partial<Contact> | undefined;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ValidationException') throw err;
      // A contact from before `surveyedBy` (one entry per survey): make the maps, then stamp.
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName('contacts'),
          Key: { id: contactId },
          UpdateExpression:
            'SET surveyed = if_not_exists(surveyed, :empty), surveyedBy = if_not_exists(surveyedBy, :empty)',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
      old = (await stamp()).Attributes as Partial<Contact> | undefined;
    }
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const current = itemOfConditionFailure<Contact>(err);
    if (!current) return { taken: false, reason: 'contact erased' };
    return { taken: false, reason: current.status === 'subscribed' ? 'surveyed recently' : current.status };
  }
  return {
    taken: true,
    contact: old as Contact,
    release: () => releaseSurveyed(inv.token, survey.id, contactId, old ?? {}),
  };
}

/**
 * Puts back the stamps a refused email took, each pair only while this invitation still holds it:
 * the contact was not surveyed, so the skip rules must not count it.
 */
async function releaseSurveyed(
  token: string,
  surveyId: string,
  contactId: string,
  old: Partial<Contact>,
): Promise<void> {
  const restore = (pairs: [path: string, value: string | undefined][], holder: string) => {
    const values: Record<string, unknown> = { ':token': token };
    const sets: string[] = [];
    const removes: string[] = [];
    pairs.forEach(([path, value], i) => {
      if (value === undefined) {
        removes.push(path);
      } else {
        sets.push(`${path} = :v${i}`);
        values[`:v${i}`] = value;
      }
    });
    return dynamo()
      .send(
        new UpdateCommand({
          TableName: tableName('contacts'),
          Key: { id: contactId },
          UpdateExpression: [
            sets.length ? `SET ${sets.join(', ')}` : '',
            removes.length ? `REMOVE ${removes.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' '),
          ConditionExpression: `${holder} = :token`,
          ...(holder.includes('#s') && { ExpressionAttributeNames: { '#s': surveyId } }),
          ExpressionAttributeValues: values,
        }),
      )
      .catch((err: unknown) => {
        if (!isConditionFailure(err)) throw err;
      });
  };
  await restore(
    [
      ['surveyed.#s', old.surveyed?.[surveyId]],
      ['surveyedBy.#s', old.surveyedBy?.[surveyId]],
    ],
    'surveyedBy.#s',
  );
  await restore(
    [
      ['lastSurveyedAt', old.lastSurveyedAt],
      ['lastSurveyedBy', old.lastSurveyedBy],
    ],
    'lastSurveyedBy',
  );
}
