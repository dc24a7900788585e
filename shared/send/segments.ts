/**
 * Choosing a wave's audience in parallel: the contacts table is scanned in `segments` parallel scan
 * segments (DynamoDB's `Segment`/`TotalSegments`), each a job of its own (`wave.select`, one send
 * invocation per segment, continuing itself), with its own cursor and lease on its own item
 * (`WAVE#id`/`SEGMENT#k`). A million contacts are never in one Lambda's memory (a page of 250 at a
 * time) nor in one Lambda's time (each segment hands over at its deadline). Each page is recorded in
 * one transaction: the segment's cursor moves on, conditioned on where the page started, and the
 * wave's `selected` count goes up by the page's invitations, so a page redone after a crash is
 * counted once; its invitations are derived from the wave's secret, so it writes the same ones. The
 * segment that finishes last moves the wave on to sending (or to picking a fixed-count sample), and
 * the sweeper's run of the wave fans out again any segment whose job died.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { isConditionFailure, transactionCancelReasons } from '../aws/dynamo-errors.ts';
import { optionalEnv, tableName } from '../config.ts';
import type { Survey } from '../survey/schema.ts';
import type { Wave, WavePhase } from '../wave/schema.ts';
import { getWave, setWavePhase } from '../wave/store.ts';
import { putCandidates } from './candidates.ts';
import { invokeSend } from './invoke.ts';
import { invitationFor, scanPage, writeInvitations } from './selection.ts';

/** One segment's place in the scan. */
export interface SegmentState {
  segment: number;
  cursor?: string;
  done?: boolean;
  /** The page being written (its cursor): a page found here was started before. */
  pageStarted?: string;
  leaseUntil?: number;
  leaseOwner?: string;
}

const segmentKey = (waveId: string, segment: number) => ({ pk: `WAVE#${waveId}`, sk: `SEGMENT#${segment}` });
const leaseMs = 30_000;

/** Contacts per scan segment (an estimate from the table's item count, which DynamoDB updates every few hours). */
const contactsPerSegment = (): number =>
  Math.max(1, Number(optionalEnv('SELECT_CONTACTS_PER_SEGMENT') ?? 100_000));
const maxSegments = 32;

/** How many segments a selection over this many contacts is split into: 1 up to 100,000, 10 at a million. */
export const segmentsFor = (contacts: number): number =>
  Math.max(1, Math.min(maxSegments, Math.ceil(contacts / contactsPerSegment())));

/** The contacts table's item count as DynamoDB last measured it (0 when it cannot say). */
async function estimatedContacts(): Promise<number> {
  try {
    const table = await dynamo().send(new DescribeTableCommand({ TableName: tableName('contacts') }));
    return Number(table.Table?.ItemCount ?? 0);
  } catch (err) {
    console.error('send: the contacts table could not be described; one scan segment', (err as Error).name);
    return 0;
  }
}

/**
 * Fixes the wave's number of segments, once: the first run to get here decides, any later one reads
 * what was decided.
 */
export async function ensureSegments(wave: Wave): Promise<number> {
  if (wave.segments) return wave.segments;
  const segments = segmentsFor(await estimatedContacts());
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: { pk: `WAVE#${wave.id}`, sk: 'WAVE' },
        UpdateExpression: 'SET #segments = :n, segmentsDone = :zero',
        ConditionExpression: 'attribute_not_exists(#segments) AND attribute_not_exists(#cursor)',
        ExpressionAttributeNames: { '#cursor': 'cursor', '#segments': 'segments' },
        ExpressionAttributeValues: { ':n': segments, ':zero': 0 },
      }),
    );
    return segments;
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    return (await getWave(wave.id))?.segments ?? segments;
  }
}

async function listSegments(waveId: string): Promise<Map<number, SegmentState>> {
  const found = new Map<number, SegmentState>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName('surveys'),
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':p': `WAVE#${waveId}`, ':s': 'SEGMENT#' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) found.set(Number(item.segment), item as SegmentState);
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

/**
 * The wave's run in phase `selecting`: hands every segment not done, and not held by a live job, to
 * a job of its own; moves the wave on when every segment is done (the last job died before it could).
 * Answers whether the wave moved on.
 */
export async function fanOutSegments(wave: Wave, survey: Survey): Promise<boolean> {
  const segments = await ensureSegments(wave);
  const states = await listSegments(wave.id);
  const open = Array.from({ length: segments }, (_, segment) => segment).filter(
    (segment) => !states.get(segment)?.done,
  );
  if (open.length === 0) return finishSelection(wave.id, survey);
  const now = Date.now();
  await Promise.all(
    open
      .filter((segment) => (states.get(segment)?.leaseUntil ?? 0) < now)
      .map((segment) => invokeSend({ type: 'wave.select', waveId: wave.id, segment })),
  );
  return false;
}

/** The phase after selection: picking the lowest ranks of a fixed-count sample, or sending. */
const nextPhase = (survey: Survey): WavePhase =>
  survey.audience.sample && 'count' in survey.audience.sample ? 'picking' : 'sending';

/** Every segment is done: the wave moves on (once), and its run goes on in a fresh invocation. */
async function finishSelection(waveId: string, survey: Survey): Promise<boolean> {
  const moved = await setWavePhase(waveId, 'selecting', { phase: nextPhase(survey) });
  if (moved) await invokeSend({ type: 'wave.continue', waveId });
  return moved;
}

async function takeSegmentLease(waveId: string, segment: number, owner: string): Promise<boolean> {
  const now = Date.now();
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: segmentKey(waveId, segment),
        UpdateExpression: 'SET #segment = :segment, leaseUntil = :until, leaseOwner = :owner',
        ConditionExpression:
          'attribute_not_exists(#done) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :owner)',
        ExpressionAttributeNames: { '#segment': 'segment', '#done': 'done' },
        ExpressionAttributeValues: {
          ':segment': segment,
          ':until': now + leaseMs,
          ':owner': owner,
          ':now': now,
        },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

async function getSegment(waveId: string, segment: number): Promise<SegmentState | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName('surveys'),
      Key: segmentKey(waveId, segment),
      ConsistentRead: true,
    }),
  );
  return Item as SegmentState | undefined;
}

/**
 * Notes that the segment's page at `cursor` is being written; false when a run noted it before (and
 * may have died in it), so that page's writes must not overwrite anything.
 */
async function markSegmentPage(
  waveId: string,
  segment: number,
  cursor: string | undefined,
): Promise<boolean> {
  const page = cursor ?? 'start';
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: segmentKey(waveId, segment),
        UpdateExpression: 'SET pageStarted = :page',
        ConditionExpression: 'attribute_not_exists(pageStarted) OR pageStarted <> :page',
        ExpressionAttributeValues: { ':page': page },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/**
 * Records a segment's page: its cursor moves on (or the segment is done) only from where the page
 * started, and the wave's `selected` goes up by the page's invitations, in one transaction.
 * Answers false when another run recorded this page first.
 */
async function recordSegmentPage(
  waveId: string,
  segment: number,
  from: string | undefined,
  next: string | undefined,
  selected: number,
): Promise<boolean> {
  const values: Record<string, unknown> = {};
  if (from !== undefined) values[':from'] = from;
  if (next !== undefined) values[':next'] = next;
  else values[':true'] = true;
  const waveUpdates: string[] = [];
  const waveValues: Record<string, number> = {};
  if (selected > 0) {
    waveUpdates.push('counts.selected :selected');
    waveValues[':selected'] = selected;
  }
  if (next === undefined) {
    waveUpdates.push('segmentsDone :one');
    waveValues[':one'] = 1;
  }
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName('surveys'),
              Key: segmentKey(waveId, segment),
              UpdateExpression:
                next === undefined ? 'SET #done = :true REMOVE #cursor' : 'SET #cursor = :next',
              ConditionExpression: `attribute_not_exists(#done) AND ${from === undefined ? 'attribute_not_exists(#cursor)' : '#cursor = :from'}`,
              ExpressionAttributeNames: { '#cursor': 'cursor', '#done': 'done' },
              ExpressionAttributeValues: values,
            },
          },
          ...(waveUpdates.length
            ? [
                {
                  Update: {
                    TableName: tableName('surveys'),
                    Key: { pk: `WAVE#${waveId}`, sk: 'WAVE' },
                    UpdateExpression: `ADD ${waveUpdates.join(', ')}`,
                    ConditionExpression: 'phase = :selecting',
                    ExpressionAttributeValues: { ...waveValues, ':selecting': 'selecting' },
                  },
                },
              ]
            : []),
        ],
      }),
    );
    return true;
  } catch (err) {
    if (transactionCancelReasons(err)?.includes('ConditionalCheckFailed')) return false;
    throw err;
  }
}

export type SegmentResult = 'done' | 'more' | 'busy';

/**
 * One segment's job: pages of its scan until it is done or the deadline comes (then it continues in
 * a fresh invocation of the send function). The last segment done moves the wave on.
 */
export async function runSegment(
  waveId: string,
  segment: number,
  deadline: number,
  survey: (surveyId: string) => Promise<Survey>,
): Promise<SegmentResult> {
  const owner = `${segment}:${Math.random().toString(36).slice(2)}`;
  if (!(await takeSegmentLease(waveId, segment, owner))) return 'busy';
  for (let step = 0; ; step++) {
    if (step > 0 && Date.now() >= deadline) {
      await releaseSegmentLease(waveId, segment, owner);
      await invokeSend({ type: 'wave.select', waveId, segment });
      return 'more';
    }
    if (step > 0 && !(await takeSegmentLease(waveId, segment, owner))) return 'busy';
    // Read for every page: a wave closed meanwhile (its expiry came first) selects no more.
    const wave = await getWave(waveId);
    if (wave?.phase !== 'selecting' || !wave.segments) return 'done';
    const state = await getSegment(waveId, segment);
    if (!state || state.done) break;
    // Read for every page: an edit of the audience takes effect at the next page.
    const current = await survey(wave.surveyId);
    const done = await selectSegmentPage(wave, current, segment, state);
    if (done) break;
  }
  const after = await getWave(waveId);
  if (after?.phase === 'selecting' && (after.segmentsDone ?? 0) >= (after.segments ?? 1))
    await finishSelection(waveId, await survey(after.surveyId));
  return 'done';
}

async function releaseSegmentLease(waveId: string, segment: number, owner: string): Promise<void> {
  await dynamo()
    .send(
      new UpdateCommand({
        TableName: tableName('surveys'),
        Key: segmentKey(waveId, segment),
        UpdateExpression: 'REMOVE leaseUntil, leaseOwner',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      }),
    )
    .catch((err: unknown) => {
      if (!isConditionFailure(err)) throw err;
    });
}

/** One page of a segment's scan; answers whether the segment is done. */
async function selectSegmentPage(
  wave: Wave,
  survey: Survey,
  segment: number,
  state: SegmentState,
): Promise<boolean> {
  const { chosen, next, createdAt } = await scanPage(wave, survey, state.cursor, {
    segment,
    of: wave.segments ?? 1,
  });
  const sample = survey.audience.sample;
  if (sample && 'count' in sample) {
    // Candidates are keyed by rank and contact: a page written twice writes the same items.
    await putCandidates(wave, chosen);
    await recordSegmentPage(wave.id, segment, state.cursor, next, 0);
    return next === undefined;
  }
  const invitations = chosen.map((contact) => invitationFor(contact, survey, wave, createdAt));
  const firstTime = invitations.length > 0 && (await markSegmentPage(wave.id, segment, state.cursor));
  await writeInvitations(invitations, firstTime);
  await recordSegmentPage(wave.id, segment, state.cursor, next, invitations.length);
  return next === undefined;
}
