/** Surveys in DynamoDB (the surveys table, pk SURVEY#id). */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { storedRules } from '../alert/rules.ts';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { tableName } from '../config.ts';
import { conflict, notFound } from '../errors.ts';
import type { Survey } from './schema.ts';

const key = (id: string) => ({ pk: `SURVEY#${id}`, sk: 'SURVEY' });
type SurveyItem = Survey & { pk: string; sk: string; gsi1pk: string; gsi1sk: string; editKey?: string };

/** A survey from its stored item (without the table's key attributes and the last edit's form key). */
export const surveyFromItem = (item: Record<string, unknown>): Survey => {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _gs, editKey: _e, ...survey } = item as unknown as SurveyItem;
  return { ...survey, alerts: storedRules(survey.id, survey.alerts) };
};

/** The form key of the edit that last saved this survey (a dashboard form posted twice finds its own). */
export async function lastEditKey(id: string): Promise<string | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName('surveys'),
      Key: key(id),
      ConsistentRead: true,
      ProjectionExpression: 'editKey',
    }),
  );
  return typeof Item?.editKey === 'string' ? Item.editKey : undefined;
}

export async function putNewSurvey(survey: Survey): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName('surveys'),
      Item: { ...key(survey.id), gsi1pk: 'SURVEYS', gsi1sk: `${survey.createdAt}#${survey.id}`, ...survey },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getSurvey(id: string, consistent = true): Promise<Survey | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('surveys'), Key: key(id), ConsistentRead: consistent }),
  );
  return Item ? surveyFromItem(Item) : undefined;
}

export async function requireSurvey(id: string): Promise<Survey> {
  const survey = await getSurvey(id);
  if (!survey) throw notFound(`survey ${id} not found`);
  return survey;
}

export async function listSurveys(): Promise<Survey[]> {
  const surveys: Survey[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('surveys'),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'SURVEYS' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) surveys.push(surveyFromItem(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return surveys;
}

/**
 * Replaces a survey's stored fields, guarded by its `updatedAt` so that two concurrent edits cannot
 * silently overwrite each other (the loser gets 409 and retries). `editKey` names the form that made
 * this edit, in the same write, so that a second post of that form can tell it was saved.
 */
export async function saveSurvey(survey: Survey, expectedUpdatedAt: string, editKey?: string): Promise<void> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName('surveys'),
        Item: {
          ...key(survey.id),
          gsi1pk: 'SURVEYS',
          gsi1sk: `${survey.createdAt}#${survey.id}`,
          ...survey,
          ...(editKey && { editKey }),
        },
        ConditionExpression: 'updatedAt = :expected',
        ExpressionAttributeValues: { ':expected': expectedUpdatedAt },
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) throw conflict(`survey ${survey.id} was changed by another request; retry`);
    throw err;
  }
}

/**
 * Moves a survey between states, only from the states given. Publishing stamps `publishedAt` each
 * time, and `cadenceAnchorAt` only the first time (a survey published before it was kept takes its
 * last publish then), so that republishing does not move the cadence's day.
 */
export async function setSurveyState(
  id: string,
  to: Survey['state'],
  from: Survey['state'][],
  at: string,
): Promise<Survey> {
  const stamps =
    to === 'published'
      ? ', publishedAt = :at, cadenceAnchorAt = if_not_exists(cadenceAnchorAt, if_not_exists(publishedAt, :at))'
      : to === 'unpublished'
        ? ', unpublishedAt = :at'
        : '';
  const values: Record<string, unknown> = { ':to': to, ':at': at };
  from.forEach((state, i) => {
    values[`:f${i}`] = state;
  });
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(id),
        UpdateExpression: `SET #state = :to, updatedAt = :at${stamps}`,
        ConditionExpression: `attribute_exists(pk) AND #state IN (${from.map((_, i) => `:f${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return surveyFromItem(Attributes ?? {});
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const current = await requireSurvey(id);
    throw conflict(`survey ${id} is ${current.state}; it must be ${from.join(' or ')} to become ${to}`);
  }
}
