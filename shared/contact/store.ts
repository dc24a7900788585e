/** Contacts in DynamoDB, keyed by an id derived from the email. */
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso } from '../clock.ts';
import { tableName } from '../config.ts';
import { contactIdFor, normalizeEmail } from '../ids.ts';
import { backOff } from '../retry.ts';
import { mapConcurrent } from '../send/concurrency.ts';
import type { Contact, ContactInput, ContactStatus } from './schema.ts';

/**
 * Creates or updates a contact by email; answers whether it was created. An existing contact is one
 * conditional update (given properties are merged, others kept); a new one is a conditional put.
 * One to two requests, and a race between two upserts of the same email just retries.
 */
export async function upsertContact(input: ContactInput): Promise<{ contact: Contact; created: boolean }> {
  const id = contactIdFor(input.email);
  for (let attempt = 0; attempt < 3; attempt++) {
    const updated = await updateExisting(id, input);
    if (updated) return { contact: updated, created: false };
    const created = await createNew(id, input);
    if (created) return { contact: created, created: true };
  }
  throw new Error(`contact ${id} kept changing during upsert`);
}

async function updateExisting(id: string, input: ContactInput): Promise<Contact | undefined> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':email': normalizeEmail(input.email), ':now': nowIso() };
  const sets = ['email = :email', 'updatedAt = :now'];
  for (const field of ['name', 'locale', 'timezone', 'customerSince'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  Object.entries(input.properties ?? {}).forEach(([key, value], i) => {
    names[`#p${i}`] = key;
    values[`:p${i}`] = value;
    sets.push(`properties.#p${i} = :p${i}`);
  });
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName('contacts'),
        Key: { id },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as Contact;
  } catch (err) {
    if (isConditionFailure(err)) return undefined;
    throw err;
  }
}

/** A new contact's item. */
function newContact(id: string, input: ContactInput, now: string): Contact {
  return {
    id,
    email: normalizeEmail(input.email),
    ...(input.name !== undefined && { name: input.name }),
    ...(input.locale !== undefined && { locale: input.locale }),
    ...(input.timezone !== undefined && { timezone: input.timezone }),
    ...(input.customerSince !== undefined && { customerSince: input.customerSince }),
    properties: input.properties ?? {},
    status: 'subscribed',
    feedback: {},
    surveyed: {},
    surveyedBy: {},
    createdAt: now,
    updatedAt: now,
  };
}

async function createNew(id: string, input: ContactInput): Promise<Contact | undefined> {
  const contact = newContact(id, input, nowIso());
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName('contacts'),
        Item: contact,
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
    return contact;
  } catch (err) {
    if (isConditionFailure(err)) return undefined;
    throw err;
  }
}

export async function getContact(id: string): Promise<Contact | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('contacts'), Key: { id }, ConsistentRead: true }),
  );
  return Item as Contact | undefined;
}

export const getContactByEmail = (email: string): Promise<Contact | undefined> =>
  getContact(contactIdFor(email));

export async function setContactStatus(id: string, status: ContactStatus): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName('contacts'),
      Key: { id },
      UpdateExpression: 'SET #status = :status, updatedAt = :now',
      ConditionExpression: 'attribute_exists(id)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':now': nowIso() },
    }),
  );
}

/**
 * Upserts many contacts with few requests: a group of 100 is one BatchGetItem (who exists), then its
 * new contacts in BatchWriteItem calls of 25, four groups at a time (so reads and writes overlap:
 * about four requests in flight all along); existing ones are merged one conditional update each.
 */
export async function upsertContacts(inputs: ContactInput[]): Promise<{ created: number; updated: number }> {
  const byId = new Map(inputs.map((input) => [contactIdFor(input.email), input]));
  const ids = [...byId.keys()];
  const groups: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) groups.push(ids.slice(i, i + 100));
  const existing: string[] = [];
  const now = nowIso();
  let fresh = 0;
  await mapConcurrent(groups, 4, async (group) => {
    const found = await existingContactIds(group);
    existing.push(...found);
    const create = group.filter((id) => !found.has(id));
    fresh += create.length;
    for (let i = 0; i < create.length; i += 25) {
      let requests = create.slice(i, i + 25).map((id) => ({
        PutRequest: { Item: newContact(id, byId.get(id) as ContactInput, now) },
      }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept contact writes unprocessed');
        const result = await dynamo().send(
          new BatchWriteCommand({ RequestItems: { [tableName('contacts')]: requests } }),
        );
        requests = (result.UnprocessedItems?.[tableName('contacts')] ?? []) as typeof requests;
        if (requests.length) await backoff(attempt);
      }
    }
  });
  let updated = 0;
  let created = fresh;
  await mapConcurrent(existing, 16, async (id) => {
    // Erased between the read and now: create it after all.
    if (await updateExisting(id, byId.get(id) as ContactInput)) updated++;
    else if (await createNew(id, byId.get(id) as ContactInput)) created++;
  });
  return { created, updated };
}

const backoff = (attempt: number) => backOff(attempt, 25, 2000);

/** Which of up to 100 contact ids exist (one BatchGetItem, keys only). */
async function existingContactIds(ids: string[]): Promise<Set<string>> {
  const existing = new Set<string>();
  let keys: Record<string, unknown>[] = ids.map((id) => ({ id }));
  for (let attempt = 0; keys.length > 0; attempt++) {
    if (attempt > 8) throw new Error('DynamoDB kept contact reads unprocessed');
    const result = await dynamo().send(
      new BatchGetCommand({
        RequestItems: { [tableName('contacts')]: { Keys: keys, ProjectionExpression: 'id' } },
      }),
    );
    for (const item of result.Responses?.[tableName('contacts')] ?? []) existing.add(String(item.id));
    keys = result.UnprocessedKeys?.[tableName('contacts')]?.Keys ?? [];
    if (keys.length) await backoff(attempt);
  }
  return existing;
}

/** Name and email of up to 100 contacts in one request (a page of the comment feed). */
export async function getContactNames(
  ids: readonly string[],
): Promise<Map<string, { email: string; name?: string }>> {
  const found = new Map<string, { email: string; name?: string }>();
  let keys: Record<string, unknown>[] = [...new Set(ids)].slice(0, 100).map((id) => ({ id }));
  for (let attempt = 0; keys.length > 0; attempt++) {
    if (attempt > 8) throw new Error('DynamoDB kept contact reads unprocessed');
    const result = await dynamo().send(
      new BatchGetCommand({
        RequestItems: {
          [tableName('contacts')]: {
            Keys: keys,
            ProjectionExpression: 'id, email, #name',
            ExpressionAttributeNames: { '#name': 'name' },
          },
        },
      }),
    );
    for (const item of result.Responses?.[tableName('contacts')] ?? []) {
      found.set(String(item.id), {
        email: String(item.email),
        ...(typeof item.name === 'string' && { name: item.name }),
      });
    }
    keys = result.UnprocessedKeys?.[tableName('contacts')]?.Keys ?? [];
    if (keys.length) await backoff(attempt);
  }
  return found;
}
