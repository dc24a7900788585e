/** Waves in DynamoDB (the surveys table, pk WAVE#id, listed per survey on gsi1). */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure } from '../aws/dynamo-errors.ts';
import { nowIso } from '../clock.ts';
import { tableName } from '../config.ts';
import { notFound } from '../errors.ts';
import type { CountName, Wave, WavePhase, WaveStatus } from './schema.ts';

const key = (id: string) => ({ pk: `WAVE#${id}`, sk: 'WAVE' });
const fromItem = (item: Record<string, unknown>): Wave => {
  const { pk: _p, sk: _s, gsi1pk: _g, gsi1sk: _gs, ...wave } = item;
  return wave as unknown as Wave;
};

export async function putNewWave(wave: Wave): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName('surveys'),
      Item: { ...key(wave.id), gsi1pk: `SURVEY#${wave.surveyId}#WAVES`, gsi1sk: wave.startedAt, ...wave },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getWave(id: string): Promise<Wave | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName('surveys'), Key: key(id), ConsistentRead: true }),
  );
  return Item ? fromItem(Item) : undefined;
}

export async function requireWave(id: string): Promise<Wave> {
  const wave = await getWave(id);
  if (!wave) throw notFound(`wave ${id} not found`);
  return wave;
}

/** Every wave of a survey, oldest first. */
export async function listWaves(surveyId: string): Promise<Wave[]> {
  const waves: Wave[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('surveys'),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': `SURVEY#${surveyId}#WAVES` },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) waves.push(fromItem(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return waves;
}

export type CountDeltas = Partial<Record<CountName, number>>;

function countUpdate(deltas: CountDeltas): {
  parts: string[];
  names: Record<string, string>;
  values: Record<string, number>;
} {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  for (const [name, delta] of Object.entries(deltas)) {
    if (!delta) continue;
    names[`#c_${name}`] = name;
    values[`:c_${name}`] = delta;
    parts.push(`counts.#c_${name} :c_${name}`);
  }
  return { parts, names, values };
}

/**
 * Adds to a wave's live counts (atomic, commutative: any number of writers may do it at once). A
 * transaction holding the wave item (a settle) makes DynamoDB refuse the write for a moment; the
 * client tries it again (shared/aws/clients.ts), since a refused write applied nothing.
 */
export async function addWaveCounts(waveId: string, deltas: CountDeltas): Promise<void> {
  const { parts, names, values } = countUpdate(deltas);
  if (parts.length === 0) return;
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName('surveys'),
      Key: key(waveId),
      UpdateExpression: `ADD ${parts.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * Records one page of audience selection: moves the cursor on and counts the page, only if the
 * cursor is still where this page started. A page redone after a crash is therefore counted once.
 * At the last page (`next` undefined) the wave moves to `donePhase` with a fresh cursor.
 * Answers false when another run already recorded this page.
 */
export async function recordSelectionPage(
  waveId: string,
  from: string | undefined,
  next: string | undefined,
  deltas: CountDeltas,
  donePhase: WavePhase,
  phase: WavePhase = 'selecting',
): Promise<boolean> {
  const { parts, names, values } = countUpdate(deltas);
  const sets = next === undefined ? ['phase = :done'] : ['#cursor = :next'];
  const remove = next === undefined ? ' REMOVE #cursor' : '';
  const allValues: Record<string, unknown> = { ...values, ':phase': phase };
  if (next === undefined) allValues[':done'] = donePhase;
  else allValues[':next'] = next;
  if (from !== undefined) allValues[':from'] = from;
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(waveId),
        UpdateExpression: `SET ${sets.join(', ')}${parts.length ? ` ADD ${parts.join(', ')}` : ''}${remove}`,
        ConditionExpression: `phase = :phase AND ${from === undefined ? 'attribute_not_exists(#cursor)' : '#cursor = :from'}`,
        ExpressionAttributeNames: { ...names, '#cursor': 'cursor' },
        ExpressionAttributeValues: allValues,
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/**
 * Notes that a selection page (the one starting at `cursor` in `phase`) is being written. Answers
 * true the first time, false when a run noted it before (and may have died in it): that page's
 * writes must then not overwrite what is there.
 */
export async function markPageStarted(
  waveId: string,
  phase: WavePhase,
  cursor: string | undefined,
): Promise<boolean> {
  const page = `${phase}:${cursor ?? ''}`;
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(waveId),
        UpdateExpression: 'SET pageStarted = :page',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(pageStarted) OR pageStarted <> :page)',
        ExpressionAttributeValues: { ':page': page },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Moves a wave to a new phase/status, only from the phase given. */
export async function setWavePhase(
  waveId: string,
  from: WavePhase,
  to: { phase: WavePhase; status?: WaveStatus; at?: { field: 'sentAt' | 'closedAt'; value: string } },
): Promise<boolean> {
  const sets = ['phase = :to'];
  const values: Record<string, unknown> = { ':from': from, ':to': to.phase };
  const names: Record<string, string> = {};
  if (to.status) {
    sets.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = to.status;
  }
  if (to.at) {
    sets.push(`${to.at.field} = :at`);
    values[':at'] = to.at.value;
  }
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(waveId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'phase = :from',
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Moves the sending cursor on, only from where this page started. */
export async function recordSendPage(
  waveId: string,
  from: string | undefined,
  next: string | undefined,
): Promise<void> {
  const values: Record<string, unknown> = {};
  if (from !== undefined) values[':from'] = from;
  if (next !== undefined) values[':next'] = next;
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(waveId),
        UpdateExpression: next === undefined ? 'REMOVE sendCursor' : 'SET sendCursor = :next',
        ConditionExpression: from === undefined ? 'attribute_not_exists(sendCursor)' : 'sendCursor = :from',
        ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/**
 * Takes (or renews) the wave's lease so that one run at a time works on it; a crashed run's lease
 * simply runs out. Real time, not the movable local clock: it is about processes being alive.
 */
export async function acquireWaveLease(waveId: string, owner: string, forMs: number): Promise<boolean> {
  const now = Date.now();
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(waveId),
        UpdateExpression: 'SET leaseUntil = :until, leaseOwner = :owner',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :owner)',
        ExpressionAttributeValues: { ':until': now + forMs, ':owner': owner, ':now': now },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export async function releaseWaveLease(waveId: string, owner: string): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(waveId),
        UpdateExpression: 'REMOVE leaseUntil, leaseOwner',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/** Waves still sending are listed under pk ACTIVE, so a sweeper can resume any a crash left behind. */
export async function markWaveActive(waveId: string, active: boolean): Promise<void> {
  const Key = { pk: 'ACTIVE', sk: `WAVE#${waveId}` };
  if (active) {
    await dynamo().send(new PutCommand({ TableName: tableName('surveys'), Item: { ...Key, waveId } }));
  } else {
    await dynamo().send(new DeleteCommand({ TableName: tableName('surveys'), Key }));
  }
}

/** The wave's expiry and reminder schedules are made: its creation is complete (shared/wave/start.ts). */
export async function markWaveTimersScheduled(waveId: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName('surveys'),
      Key: key(waveId),
      UpdateExpression: 'REMOVE timersPending',
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

/**
 * Active waves that need a run now. A wave waiting for a send window is left out until its opening
 * (`waitUntil` on its marker): a schedule resumes it then, and re-running it before would re-read
 * every waiting invitation and re-request that schedule on each sweep, for days over a weekend.
 */
export async function listActiveWaveIds(): Promise<string[]> {
  const ids: string[] = [];
  const now = nowIso();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('surveys'),
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': 'ACTIVE' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (typeof item.waitUntil === 'string' && item.waitUntil > now) continue;
      ids.push(String(item.waveId));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return ids;
}

/** Sets a wave's status (closing stamps closedAt). */
export async function setWaveStatus(waveId: string, status: WaveStatus, at: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName('surveys'),
      Key: key(waveId),
      UpdateExpression: status === 'closed' ? 'SET #status = :s, closedAt = :at' : 'SET #status = :s',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: status === 'closed' ? { ':s': status, ':at': at } : { ':s': status },
    }),
  );
}

/**
 * Marks, once, that a finished send pass left some of the wave's selected invitations unsettled:
 * answers true the first time (the wave gets one more pass), false when it was marked before.
 */
export async function markSendRecheck(waveId: string, at: string): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(waveId),
        UpdateExpression: 'SET sendRecheckAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sendRecheckAt)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Remembers the earliest send-window opening still waited for in this pass. */
export async function noteNextDue(waveId: string, at: string): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(waveId),
        UpdateExpression: 'SET nextDueAt = :at',
        ConditionExpression: 'attribute_not_exists(nextDueAt) OR nextDueAt > :at',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/**
 * At the end of a pass: answers the time to come back (and clears it, so the next pass starts
 * afresh from the first invitation), or undefined when nothing waits.
 */
export async function takeNextDue(waveId: string): Promise<string | undefined> {
  const { Attributes } = await dynamo().send(
    new UpdateCommand({
      TableName: tableName('surveys'),
      Key: key(waveId),
      UpdateExpression: 'REMOVE nextDueAt, sendCursor',
      ReturnValues: 'UPDATED_OLD',
    }),
  );
  const at = Attributes?.nextDueAt;
  if (typeof at !== 'string') return undefined;
  // The sweeper leaves the wave alone until then (see listActiveWaveIds).
  await dynamo()
    .send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: { pk: 'ACTIVE', sk: `WAVE#${waveId}` },
        UpdateExpression: 'SET waitUntil = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    )
    .catch((err: unknown) => {
      if (!isConditionFailure(err)) throw err;
    });
  return at;
}

/**
 * Closes a wave for good: status `closed` and phase `sent`, so a send run still working on it (or
 * resumed later by the sweeper) stops instead of reopening it; its active marker goes.
 */
export async function closeWave(waveId: string, at: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName('surveys'),
      Key: key(waveId),
      UpdateExpression: 'SET #status = :closed, closedAt = :at, phase = :sent REMOVE nextDueAt',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':closed': 'closed', ':at': at, ':sent': 'sent' },
    }),
  );
  await markWaveActive(waveId, false);
}

/**
 * A wave that cannot go on (the SES account cannot send): the reason and since when, shown by the
 * API (`stalled`) until a run goes on. The first `since` stays while the reason repeats.
 */
export async function markWaveStalled(waveId: string, reason: string, at: string): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(waveId),
        UpdateExpression: 'SET stalled = :stalled',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(stalled) OR stalled.reason <> :reason)',
        ExpressionAttributeValues: { ':stalled': { reason, since: at }, ':reason': reason },
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/** The wave goes on: no longer stalled (nothing written when it was not). */
export async function clearWaveStall(waveId: string): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: key(waveId),
        UpdateExpression: 'REMOVE stalled',
        ConditionExpression: 'attribute_exists(stalled)',
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}
