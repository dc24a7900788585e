/** Contacts in DynamoDB, keyed by an id derived from the email. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso } from '../clock.ts';
import { tableName } from '../config.ts';
import { contactIdFor, normalizeEmail } from '../ids.ts';
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

async function createNew(id: string, input: ContactInput): Promise<Contact | undefined> {
  const now = nowIso();
  const contact: Contact = {
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
    createdAt: now,
    updatedAt: now,
  };
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
