/**
 * The EventBridge Scheduler requests the code sends on AWS, exactly (aws-sdk-client-mock): a wave's
 * one-time expiry and reminder schedules, a survey's recurring cadence schedule (created on publish,
 * updated on a conflict or a PATCH, deleted on unpublish), a triggered invitation's delayed send, and
 * a reminder that waits for a send window.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { GetAccountCommand, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clockOffset, nowMs, setClockOffset } from '../../shared/clock.ts';
import type { Contact } from '../../shared/contact/schema.ts';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { awsCron, cadenceSpec, syncCadenceSchedule } from '../../shared/schedule/cadence.ts';
import { atExpression, deleteSchedule, scheduleOnce } from '../../shared/schedule/scheduler.ts';
import { InFlightLimit } from '../../shared/send/in-flight.ts';
import { remindOne, remindWave } from '../../shared/send/reminders.ts';
import type { Pacer } from '../../shared/send/ses-rate.ts';
import { newSurvey, patchSurvey, publishSurvey, unpublishSurvey } from '../../shared/survey/lifecycle.ts';
import type { CreateSurveyInput, Survey } from '../../shared/survey/schema.ts';
import { type Wave, zeroCounts } from '../../shared/wave/schema.ts';
import { scheduleWaveTimers } from '../../shared/wave/timers.ts';
import { triggerInvitation } from '../../shared/wave/triggered.ts';

/** SES pacing is ses-rate.ts's (test/unit/ses-rate.test.ts); here every call may go at once. */
const unpaced: Pacer = { take: async () => {} };

const env = {
  SCHEDULE_GROUP: 'npswave-prod',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/npswave-scheduler',
  SEND_FUNCTION_ARN: 'arn:aws:lambda:eu-north-1:123456789012:function:npswave-send',
  REMIND_FUNCTION_ARN: 'arn:aws:lambda:eu-north-1:123456789012:function:npswave-remind',
  EXPIRE_FUNCTION_ARN: 'arn:aws:lambda:eu-north-1:123456789012:function:npswave-expire',
  SURVEYS_TABLE: 'surveys',
  CONTACTS_TABLE: 'contacts',
  INVITATIONS_TABLE: 'invitations',
  SYSTEM_TABLE: 'system',
  PUBLIC_URL: 'https://feedback.example.test',
  FROM_ADDRESS: 'surveys@example.test',
  SES_CONFIGURATION_SET: 'npswave',
};
Object.assign(process.env, env);

const scheduler = mockClient(SchedulerClient);
const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);

const retryPolicy = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 };

/** What every one-time schedule shares: UTC, off, deleted after it runs, the stack's group and role. */
const oneTime = (
  name: string,
  expression: string,
  arn: string,
  input: unknown,
): CreateScheduleCommandInput => ({
  Name: name,
  GroupName: env.SCHEDULE_GROUP,
  ScheduleExpression: expression,
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  State: 'ENABLED',
  Target: {
    Arn: arn,
    RoleArn: env.SCHEDULER_ROLE_ARN,
    Input: JSON.stringify(input),
    RetryPolicy: retryPolicy,
  },
});

const created = () => scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
const updated = () => scheduler.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input);
const deleted = () => scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input);

function survey(input: Partial<CreateSurveyInput> = {}, over: Partial<Survey> = {}): Survey {
  return {
    ...newSurvey(
      { kind: 'nps', name: 'Quarterly NPS', companyName: 'Acme', ...input },
      '2026-11-01T00:00:00.000Z',
    ),
    ...over,
  };
}

const published = (input: Partial<CreateSurveyInput>, publishedAt: string, over: Partial<Survey> = {}) =>
  survey(input, { state: 'published', publishedAt, ...over });

function wave(startedAt: string, windowDays = 14): Wave {
  return {
    id: 'w_abcdefghijklmnop',
    surveyId: 's_abcdefghijklmnop',
    status: 'sending',
    phase: 'selecting',
    trigger: 'schedule',
    startedAt,
    closesAt: new Date(Date.parse(startedAt) + windowDays * 86_400_000).toISOString(),
    counts: zeroCounts(),
    secret: 'c2VjcmV0',
  };
}

beforeEach(() => {
  scheduler.reset();
  ddb.reset();
  ses.reset();
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  scheduler.on(DeleteScheduleCommand).resolves({});
});

describe('one-time schedules', () => {
  it('never fire before their time: at() rounds up to the whole second', () => {
    expect(atExpression(new Date('2026-12-06T12:00:00.000Z'))).toBe('at(2026-12-06T12:00:00)');
    expect(atExpression(new Date('2026-12-06T12:00:00.001Z'))).toBe('at(2026-12-06T12:00:01)');
    expect(atExpression(new Date('2026-12-31T23:59:59.400Z'))).toBe('at(2027-01-01T00:00:00)');
  });

  it('a wave gets its expiry at closesAt and each reminder afterDays apart, all auto-deleting', async () => {
    const w = wave('2026-11-22T12:00:00.250Z');
    await scheduleWaveTimers(w, survey({ reminders: { count: 2, afterDays: 3 } }));
    expect(created()).toEqual([
      oneTime('expire-w_abcdefghijklmnop', 'at(2026-12-06T12:00:01)', env.EXPIRE_FUNCTION_ARN, {
        waveId: w.id,
      }),
      oneTime('remind-w_abcdefghijklmnop-1', 'at(2026-11-25T12:00:01)', env.REMIND_FUNCTION_ARN, {
        waveId: w.id,
        reminder: 1,
      }),
      oneTime('remind-w_abcdefghijklmnop-2', 'at(2026-11-28T12:00:01)', env.REMIND_FUNCTION_ARN, {
        waveId: w.id,
        reminder: 2,
      }),
    ]);
  });

  it('no reminder at or after the wave closes, and none when the count is 0', async () => {
    await scheduleWaveTimers(
      wave('2026-11-22T12:00:00.000Z'),
      survey({ reminders: { count: 5, afterDays: 3 } }),
    );
    expect(created().map((i) => `${i.Name} ${i.ScheduleExpression}`)).toEqual([
      'expire-w_abcdefghijklmnop at(2026-12-06T12:00:00)',
      'remind-w_abcdefghijklmnop-1 at(2026-11-25T12:00:00)',
      'remind-w_abcdefghijklmnop-2 at(2026-11-28T12:00:00)',
      'remind-w_abcdefghijklmnop-3 at(2026-12-01T12:00:00)',
      'remind-w_abcdefghijklmnop-4 at(2026-12-04T12:00:00)',
    ]);
    scheduler.resetHistory();
    await scheduleWaveTimers(
      wave('2026-11-22T12:00:00.000Z', 7),
      survey({ reminders: { count: 1, afterDays: 7 } }),
    );
    expect(created().map((i) => i.Name)).toEqual(['expire-w_abcdefghijklmnop']);
    scheduler.resetHistory();
    await scheduleWaveTimers(
      wave('2026-11-22T12:00:00.000Z'),
      survey({ reminders: { count: 0, afterDays: 3 } }),
    );
    expect(created().map((i) => i.Name)).toEqual(['expire-w_abcdefghijklmnop']);
  });

  it('creating one twice is harmless: a conflict is taken as "already there", never updated', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    await scheduleOnce('expire-w_x', new Date('2026-12-06T12:00:00Z'), 'expire', { waveId: 'w_x' });
    expect(created()).toHaveLength(1);
    expect(updated()).toHaveLength(0);
  });

  it('deletes by name in the stack’s group, and a schedule already gone is fine', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    await deleteSchedule('cadence-s_x');
    expect(deleted()).toEqual([{ Name: 'cadence-s_x', GroupName: env.SCHEDULE_GROUP }]);
    scheduler.on(DeleteScheduleCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(deleteSchedule('cadence-s_x')).rejects.toThrow('denied');
  });
});

describe('the cadence schedule', () => {
  const cadence = (s: Survey, expression: string, timezone: string): CreateScheduleCommandInput => ({
    Name: `cadence-${s.id}`,
    GroupName: env.SCHEDULE_GROUP,
    ScheduleExpression: expression,
    ScheduleExpressionTimezone: timezone,
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    Target: {
      Arn: env.SEND_FUNCTION_ARN,
      RoleArn: env.SCHEDULER_ROLE_ARN,
      // Scheduler fills in the firing's time, from which the send function derives the wave's id.
      Input: JSON.stringify({
        type: 'wave.start',
        surveyId: s.id,
        scheduledAt: '<aws.scheduler.scheduled-time>',
      }),
      RetryPolicy: retryPolicy,
    },
  });

  it('a republished survey keeps the day of its first publish (republished 10 January, first published 22 November)', async () => {
    const s = published({ cadence: { every: '3 months' } }, '2027-01-10T10:00:00Z', {
      cadenceAnchorAt: '2026-11-22T10:00:00Z',
    });
    await syncCadenceSchedule(s);
    expect(created()).toEqual([cadence(s, 'cron(0 9 22 2/3 ? *)', 'UTC')]);
  });

  it('every 3 months: 09:00 on the publish day, in every quarter of the year (published in November)', async () => {
    const s = published(
      { cadence: { every: '3 months' }, timezone: 'Europe/Stockholm' },
      '2026-11-22T10:00:00Z',
    );
    await syncCadenceSchedule(s);
    expect(created()).toEqual([cadence(s, 'cron(0 9 22 2/3 ? *)', 'Europe/Stockholm')]);
    expect(created()[0]).not.toHaveProperty('ActionAfterCompletion');
  });

  it.each([
    ['1 month', '2026-11-22T10:00:00Z', 'cron(0 9 22 * ? *)'],
    ['2 months', '2026-11-22T10:00:00Z', 'cron(0 9 22 1/2 ? *)'],
    ['3 months', '2026-01-15T10:00:00Z', 'cron(0 9 15 1/3 ? *)'],
    ['3 months', '2026-03-15T10:00:00Z', 'cron(0 9 15 3/3 ? *)'],
    ['6 months', '2026-09-15T10:00:00Z', 'cron(0 9 15 3/6 ? *)'],
    ['12 months', '2026-11-22T10:00:00Z', 'cron(0 9 22 11/12 ? *)'],
    // Days 29–31 do not exist in every month: the 28th stands in.
    ['3 months', '2026-10-31T10:00:00Z', 'cron(0 9 28 1/3 ? *)'],
  ])('every %s published %s → %s', async (every, publishedAt, expression) => {
    const s = published({ cadence: { every } }, publishedAt);
    await syncCadenceSchedule(s);
    expect(created()).toEqual([cadence(s, expression, 'UTC')]);
  });

  it('takes the publish day in the cadence’s own time zone (23:30Z on 30 November is 1 December in Shanghai)', async () => {
    const s = published(
      { cadence: { every: '3 months', timezone: 'Asia/Shanghai' }, timezone: 'Europe/Stockholm' },
      '2026-11-30T23:30:00Z',
    );
    await syncCadenceSchedule(s);
    expect(created()).toEqual([cadence(s, 'cron(0 9 1 3/3 ? *)', 'Asia/Shanghai')]);
  });

  it.each([
    ['1 week', 'rate(7 days)'],
    ['2 weeks', 'rate(14 days)'],
    ['1 day', 'rate(1 day)'],
    ['3 days', 'rate(3 days)'],
  ])('every %s → %s', async (every, expression) => {
    const s = published({ cadence: { every }, timezone: 'America/New_York' }, '2026-11-22T10:00:00Z');
    await syncCadenceSchedule(s);
    expect(created()).toEqual([cadence(s, expression, 'America/New_York')]);
  });

  it.each([
    ['cron(0 9 ? * MON *)', 'cron(0 9 ? * MON *)'],
    ['0 9 ? * 2#1 *', 'cron(0 9 ? * 2#1 *)'],
    // 5-field Unix cron: Sunday is 0 there and 1 on AWS; exactly one day field becomes '?'.
    ['0 9 * * 1', 'cron(0 9 ? * 2 *)'],
    ['0 9 * * 1-5', 'cron(0 9 ? * 2-6 *)'],
    ['0 9 * * 0,6', 'cron(0 9 ? * 1,7 *)'],
    ['30 8 1 */3 *', 'cron(30 8 1 */3 ? *)'],
    ['0 9 * * *', 'cron(0 9 * * ? *)'],
  ])('cron %s → %s, in the cadence’s time zone', async (cron, expression) => {
    const s = published({ cadence: { cron, timezone: 'Europe/Stockholm' } }, '2026-11-22T10:00:00Z');
    await syncCadenceSchedule(s);
    expect(created()).toEqual([cadence(s, expression, 'Europe/Stockholm')]);
  });

  it('refuses a cron AWS would refuse, before anything is stored', () => {
    expect(() => awsCron('0 9 1 * 1')).toThrow(/either a day of month or a day of week/);
    expect(() => awsCron('0 9 * * */2')).toThrow(/list the days of the week/);
    expect(() => awsCron('0 9 * *')).toThrow(/6 fields/);
    expect(() => cadenceSpec({ every: '5 months' }, { timezone: 'UTC' }, new Date())).toThrow(
      /divide a year/,
    );
  });

  it('a conflict on create (the schedule exists) becomes an update with the same input', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    const s = published({ cadence: { every: '2 weeks' } }, '2026-11-22T10:00:00Z');
    await syncCadenceSchedule(s);
    expect(created()).toHaveLength(1);
    expect(updated()).toEqual([cadence(s, 'rate(14 days)', 'UTC')]);
  });

  it('any other error on create is not swallowed', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(Object.assign(new Error('bad role'), { name: 'ValidationException' }));
    await expect(
      syncCadenceSchedule(published({ cadence: { every: '1 week' } }, '2026-11-22T10:00:00Z')),
    ).rejects.toThrow('bad role');
    expect(updated()).toHaveLength(0);
  });

  it('is deleted when the survey is unpublished, or has no cadence, and never created for a draft', async () => {
    const s = survey({ cadence: { every: '3 months' } }, { state: 'unpublished' });
    await syncCadenceSchedule(s);
    await syncCadenceSchedule(survey({ cadence: { every: '3 months' } }));
    await syncCadenceSchedule(published({}, '2026-11-22T10:00:00Z'));
    expect(created()).toHaveLength(0);
    expect(deleted()).toHaveLength(3);
    expect(deleted()[0]).toEqual({ Name: `cadence-${s.id}`, GroupName: env.SCHEDULE_GROUP });
  });
});

describe('the survey lifecycle keeps the cadence schedule in step', () => {
  const item = (s: Survey) => ({ pk: `SURVEY#${s.id}`, sk: 'SURVEY', gsi1pk: 'SURVEYS', gsi1sk: 'x', ...s });

  it('publish creates it, PATCH of the cadence updates it, unpublish deletes it and schedules the grace close', async () => {
    const draft = survey({ cadence: { every: '3 months' }, timezone: 'Europe/Stockholm' });
    const live = { ...draft, state: 'published' as const, publishedAt: '2026-11-22T10:00:00.000Z' };
    ddb.on(UpdateCommand).resolves({ Attributes: item(live) });
    await publishSurvey(draft.id);
    expect(created().map((i) => [i.Name, i.ScheduleExpression])).toEqual([
      [`cadence-${draft.id}`, 'cron(0 9 22 2/3 ? *)'],
    ]);

    scheduler.reset();
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    scheduler.on(UpdateScheduleCommand).resolves({});
    ddb.on(GetCommand).resolves({ Item: item(live) });
    ddb.on(PutCommand).resolves({});
    await patchSurvey(draft.id, { cadence: { cron: '0 9 * * 1' } });
    expect(updated().map((i) => [i.Name, i.ScheduleExpression, i.ScheduleExpressionTimezone])).toEqual([
      [`cadence-${draft.id}`, 'cron(0 9 ? * 2 *)', 'Europe/Stockholm'],
    ]);

    scheduler.reset();
    scheduler.on(DeleteScheduleCommand).resolves({});
    scheduler.on(CreateScheduleCommand).resolves({});
    const unpublishedAt = '2026-11-27T10:00:00.000Z';
    ddb.on(UpdateCommand).resolves({ Attributes: item({ ...live, state: 'unpublished', unpublishedAt }) });
    const open = { ...wave('2026-11-22T10:00:00.000Z', 30), status: 'open' as const, surveyId: draft.id };
    const rolling = { ...open, id: 'w_rollingrollingro', closesAt: '9999-12-31T23:59:59.999Z' };
    ddb.on(QueryCommand).resolves({
      Items: [open, rolling].map((w) => ({ pk: `WAVE#${w.id}`, sk: 'WAVE', ...w })),
    });
    await unpublishSurvey(draft.id);
    expect(deleted()).toEqual([{ Name: `cadence-${draft.id}`, GroupName: env.SCHEDULE_GROUP }]);
    // The wave closes 14 days after the unpublish (before its own 30 days are up); the rolling wave of
    // triggered invitations is left alone (each has its own expiry).
    expect(created()).toEqual([
      oneTime(`expire-${open.id}-unpublished`, 'at(2026-12-11T10:00:00)', env.EXPIRE_FUNCTION_ARN, {
        waveId: open.id,
      }),
    ]);
  });
});

describe('a triggered invitation with a delay', () => {
  let offset = 0;
  beforeEach(() => {
    offset = clockOffset();
  });
  afterEach(() => setClockOffset(offset));

  const contact = (over: Partial<Contact> = {}): Contact => ({
    id: 'c_abcdefghijklmnopqrst',
    email: 'ann@customer.test',
    properties: {},
    status: 'subscribed',
    feedback: {},
    createdAt: '',
    updatedAt: '',
    ...over,
  });

  /** Puts the clock at an instant (the shared clock only moves by offset). */
  const clockAt = (iso: string) => setClockOffset(clockOffset() + Date.parse(iso) - nowMs());

  it('is sent by a one-time schedule at now + delay, targeting send with the invitation', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    clockAt('2026-11-25T10:00:00.000Z');
    const s = published({ kind: 'ces', name: 'Support CES' }, '2026-11-22T10:00:00Z');
    const result = await triggerInvitation(s, contact(), 15);
    if (!('invitationId' in result)) throw new Error(`skipped: ${result.skipped}`);
    const sendAt = Date.parse(result.sendAt);
    expect(sendAt - Date.parse('2026-11-25T10:15:00.000Z')).toBeGreaterThanOrEqual(0);
    expect(sendAt - Date.parse('2026-11-25T10:15:00.000Z')).toBeLessThan(5_000);
    const [input, ...more] = created();
    expect(more).toHaveLength(0);
    expect(input).toMatchObject({
      Name: `invite-${result.invitationId}`,
      GroupName: env.SCHEDULE_GROUP,
      ScheduleExpression: atExpression(new Date(sendAt)),
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: env.SEND_FUNCTION_ARN, RoleArn: env.SCHEDULER_ROLE_ARN, RetryPolicy: retryPolicy },
    });
    expect(JSON.parse(input?.Target?.Input ?? '{}')).toEqual({
      type: 'invitation.send',
      token: expect.stringMatching(new RegExp(`^${s.id}\\.`)),
    });
  });

  it('waits for the window’s next opening when the delay ends after it closes', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    // Friday 27 November 2026 16:55 in Stockholm (15:55Z): inside the window now, closed at 17:10.
    clockAt('2026-11-27T15:55:00.000Z');
    const s = published(
      {
        kind: 'csat',
        name: 'Support CSAT',
        sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' },
      },
      '2026-11-22T10:00:00Z',
    );
    const result = await triggerInvitation(s, contact({ timezone: 'Europe/Stockholm' }), 15);
    // Monday 30 November 09:00 CET.
    expect(result).toMatchObject({ sendAt: '2026-11-30T08:00:00.000Z' });
    expect(created().map((i) => i.ScheduleExpression)).toEqual(['at(2026-11-30T08:00:00)']);
  });
});

describe('a reminder outside the contact’s send window', () => {
  let offset = 0;
  beforeEach(() => {
    offset = clockOffset();
  });
  afterEach(() => setClockOffset(offset));

  it('sends nothing yet and schedules itself once at the earliest opening, whatever the number of contacts', async () => {
    // Wednesday 25 November 2026 20:00Z: 21:00 in Stockholm, 15:00 in New York, 04:00 (Thu) in Shanghai.
    setClockOffset(clockOffset() + Date.parse('2026-11-25T20:00:00.000Z') - nowMs());
    const s = survey(
      { sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' } },
      { state: 'published', id: 's_abcdefghijklmnop' },
    );
    const w = { ...wave('2026-11-22T20:00:00.000Z'), status: 'open' as const };
    const zones = [
      'Europe/Stockholm',
      'Asia/Shanghai',
      'Europe/Stockholm',
      'Asia/Shanghai',
      'America/New_York',
    ];
    const invitations: Invitation[] = zones.map((_, i) => ({
      token: `${s.id}.${String(i).padStart(24, 'a')}`,
      surveyId: s.id,
      waveId: w.id,
      contactId: `c_${i}`,
      kind: 'nps',
      scale: s.scale,
      status: 'sent',
      createdAt: w.startedAt,
      closesAt: w.closesAt,
    }));
    ddb.on(GetCommand).callsFake((input: { Key: Record<string, string> }) => {
      if (input.Key.pk === `WAVE#${w.id}`) return { Item: { pk: input.Key.pk, sk: 'WAVE', ...w } };
      if (input.Key.pk === `SURVEY#${s.id}`) return { Item: { pk: input.Key.pk, sk: 'SURVEY', ...s } };
      const i = Number(String(input.Key.id).slice(2));
      return {
        Item: {
          id: input.Key.id,
          email: `c${i}@customer.test`,
          status: 'subscribed',
          timezone: zones[i],
          properties: {},
          feedback: {},
        },
      };
    });
    // The wave's index lists their keys; BatchGetItem answers the invitations.
    ddb.on(QueryCommand).resolves({
      Items: invitations.map(({ token, waveId, contactId }) => ({ token, waveId, contactId })),
    });
    ddb.on(BatchGetCommand).resolves({ Responses: { invitations } });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    ses.on(GetAccountCommand).resolves({ SendQuota: { MaxSendRate: 100 } });
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });

    const result = await remindWave(w.id, 1, Date.now() + 60_000);
    expect(result).toBe('waiting');
    // New York (15:00) is inside: reminded now. Stockholm opens Thursday 08:00Z, Shanghai Thursday 01:00Z.
    expect(ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses)).toEqual([
      ['c4@customer.test'],
    ]);
    expect(created()).toEqual([
      oneTime(
        `remind-${w.id}-1-${Date.parse('2026-11-26T01:00:00.000Z') / 60_000}`,
        'at(2026-11-26T01:00:00)',
        env.REMIND_FUNCTION_ARN,
        { waveId: w.id, reminder: 1 },
      ),
    ]);
  });
});

describe('a reminder whose settle DynamoDB cancels', () => {
  const s = survey({}, { state: 'published' });
  const inv: Invitation = {
    token: `${s.id}.${'b'.repeat(24)}`,
    surveyId: s.id,
    waveId: 'w_abcdefghijklmnop',
    contactId: 'c_1',
    kind: 'nps',
    scale: s.scale,
    status: 'sent',
    createdAt: '2026-11-22T00:00:00.000Z',
    closesAt: '2099-01-01T00:00:00.000Z',
  };
  const cancelled = (code: string) =>
    Object.assign(new Error(`Transaction cancelled [${code}, None]`), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: code }, { Code: 'None' }],
      $metadata: { httpStatusCode: 400 },
    });

  beforeEach(() => {
    ddb.on(GetCommand).resolves({
      Item: { id: 'c_1', email: 'ann@customer.test', status: 'subscribed', properties: {}, feedback: {} },
    });
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
  });

  it('keeps its claim when the settle fails after SES took the email, and settles it from the Send event', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(new Error('network')).resolves({});
    await expect(remindOne(inv, s, 1, unpaced)).rejects.toThrow('network');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    // The claim is not released: releasing it would let the next firing email again.
    const releases = ddb
      .commandCalls(UpdateCommand)
      .filter((c) => String(c.args[0].input.UpdateExpression).startsWith('REMOVE reminderClaim'));
    expect(releases).toHaveLength(0);
    // A later run meets the claim with SES's confirmation (reminderAccepted) and only records it.
    const claimed = { ...inv, reminderClaim: 1, reminderClaimAt: Date.now(), reminderAccepted: 1 };
    expect(await remindOne(claimed, s, 1, unpaced)).toBe('reminded');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('looks again later at a fresh claim of another run instead of passing it by for good', async () => {
    const claimed = { ...inv, reminderClaim: 1, reminderClaimAt: Date.now() };
    expect(await remindOne(claimed, s, 1, unpaced)).toBe('pending');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('sends a stale unconfirmed claim again (its run died before SES took it)', async () => {
    const stale = { ...inv, reminderClaim: 1, reminderClaimAt: Date.now() - 10 * 60_000 };
    expect(await remindOne(stale, s, 1, unpaced)).toBe('reminded');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('keeps the claim (maybe sent) when SES gave no answer, without trying again blindly', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('socket hang up'), { $metadata: {} }));
    expect(await remindOne(inv, s, 1, unpaced)).toBe('pending');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('leaves a claim another run took over to that run, without a second email', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed'));
    await remindOne(inv, s, 1, unpaced);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it("tells its run's in-flight count each claim's round trip, and the count cuts back when they slow", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const inFlight = new InFlightLimit(16, 64);
    // Fast claims: the count climbs.
    for (let i = 0; i < 16; i++) await remindOne(inv, s, 1, unpaced, { inFlight });
    expect(inFlight.current).toBeGreaterThan(16);
    const risen = inFlight.current;
    // Claims that wait 40 ms in a queue: the next window cuts it.
    ddb.on(UpdateCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      return {};
    });
    for (let i = 0; i < risen; i++) await remindOne(inv, s, 1, unpaced, { inFlight });
    expect(inFlight.current).toBeLessThan(risen);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(16 + risen);
  });
});
