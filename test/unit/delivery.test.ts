import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setClockOffset } from '../../shared/clock.ts';
import type { Contact } from '../../shared/contact/schema.ts';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { deliverInvitation } from '../../shared/send/delivery.ts';
import type { Pacer } from '../../shared/send/ses-rate.ts';
import { newSurvey } from '../../shared/survey/lifecycle.ts';

/** SES pacing is ses-rate.ts's (test/unit/ses-rate.test.ts); here every call may go at once. */
const unpaced: Pacer = { take: async () => {} };

Object.assign(process.env, {
  INVITATIONS_TABLE: 'invitations',
  SURVEYS_TABLE: 'surveys',
  CONTACTS_TABLE: 'contacts',
  PUBLIC_URL: 'https://feedback.example.test',
  FROM_ADDRESS: 'surveys@example.test',
  SES_CONFIGURATION_SET: 'npswave',
});
const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);

const survey = {
  ...newSurvey({ kind: 'nps', name: 'Q4', companyName: 'Acme' }, '2026-11-01T00:00:00.000Z'),
  state: 'published' as const,
};
const invitation = (n: number): Invitation => ({
  token: `${survey.id}.${String(n).padStart(24, 'a')}`,
  surveyId: survey.id,
  waveId: 'w_aaaaaaaaaaaaaaaa',
  contactId: `c_${n}`,
  kind: 'nps',
  scale: survey.scale,
  status: 'queued',
  createdAt: '2026-11-01T00:00:00.000Z',
  closesAt: '2099-01-01T00:00:00.000Z',
});
const contact = (id: string, over: Partial<Contact> = {}): Contact => ({
  id,
  email: `${id}@customer.test`,
  properties: {},
  status: 'subscribed',
  feedback: {},
  createdAt: '',
  updatedAt: '',
  ...over,
});
const throttled = () =>
  Object.assign(new Error('Maximum sending rate exceeded.'), {
    name: 'TooManyRequestsException',
    $metadata: { httpStatusCode: 429 },
  });

/** The contact as the contacts table holds it now, by id. */
let contactFor: (id: string) => Contact;

describe('delivering an invitation', () => {
  beforeEach(() => {
    ddb.reset();
    ses.reset();
    contactFor = (id) => contact(id);
    // The contact's "surveyed" stamp is the one write to the contacts table: it holds only while the
    // contact is subscribed, and answers the contact as it was (ALL_OLD); other updates just succeed.
    ddb.on(UpdateCommand).callsFake(async (input: { TableName: string; Key: { id?: string } }) => {
      if (input.TableName !== 'contacts') return {};
      const current = contactFor(input.Key.id as string);
      if (current.status !== 'subscribed') {
        throw Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
          Item: current,
        });
      }
      return { Attributes: current };
    });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(GetCommand).callsFake((input: { Key: { id: string } }) => ({ Item: contact(input.Key.id) }));
  });

  it('claims before SES and settles after; throttling waits and retries, so each gets one email', async () => {
    let calls = 0;
    ses.on(SendEmailCommand).callsFake(() => {
      calls++;
      if (calls % 3 === 0) throw throttled();
      return { MessageId: `m${calls}` };
    });
    const outcomes = [];
    for (let n = 0; n < 10; n++) {
      outcomes.push(
        await deliverInvitation(invitation(n), survey, {
          pacer: unpaced,
          deadline: Infinity,
          wait: async () => {},
        }),
      );
    }
    expect(outcomes).toEqual(Array(10).fill('sent'));
    const accepted = ses
      .commandCalls(SendEmailCommand)
      .filter((_, i) => (i + 1) % 3 !== 0)
      .map((c) => c.args[0].input.Destination?.ToAddresses?.[0]);
    expect(new Set(accepted).size).toBe(10);
    expect(accepted).toHaveLength(10);
    // Intent is recorded before the SES call: the first write of each invitation is the claim.
    const first = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(first?.ExpressionAttributeValues?.[':to']).toBe('sending');
  });

  it('sends with the unsubscribe headers through the configuration set, tagged with the invitation', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm1' });
    await deliverInvitation(invitation(1), survey, { pacer: unpaced, deadline: Infinity });
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.ConfigurationSetName).toBe('npswave');
    expect(input?.Content?.Simple?.Headers?.map((h) => h.Name)).toEqual([
      'List-Unsubscribe',
      'List-Unsubscribe-Post',
    ]);
    expect(input?.EmailTags).toContainEqual({ Name: 'invitation', Value: invitation(1).token });
  });

  it('marks a permanent SES refusal failed with the reason, and sends nothing again', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    const outcome = await deliverInvitation(invitation(1), survey, {
      pacer: unpaced,
      deadline: Infinity,
    });
    expect(outcome).toBe('failed');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    const settle = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;
    expect(settle?.ExpressionAttributeValues?.[':to']).toBe('failed');
    expect(String(settle?.ExpressionAttributeValues?.[':f0'])).toContain('MessageRejected');
  });

  it('suppresses an invitation whose contact unsubscribed since selection', async () => {
    contactFor = (id) => contact(id, { status: 'unsubscribed' });
    const outcome = await deliverInvitation(invitation(1), survey, {
      pacer: unpaced,
      deadline: Infinity,
    });
    expect(outcome).toBe('suppressed');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('leaves a fresh claim of another run alone (to look at again at the end of the pass)', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm1' });
    const claimed = { ...invitation(1), status: 'sending' as const, sendingAt: Date.now() };
    const outcome = await deliverInvitation(claimed, survey, {
      pacer: unpaced,
      deadline: Infinity,
    });
    expect(outcome).toBe('pending');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  describe('a send window that closed while the wave was going out', () => {
    const windowed = {
      ...survey,
      sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' },
    };
    const at = (iso: string) => setClockOffset(Date.parse(iso) - Date.now());
    afterEach(() => setClockOffset(0));

    it('puts the invitation back in the queue until the next opening in the contact zone, and sends nothing', async () => {
      contactFor = (id) => contact(id, { timezone: 'Europe/Stockholm' });
      at('2026-11-27T16:30:00.000Z'); // Friday 17:30 in Stockholm: closed until Monday 09:00 (08:00Z)
      const outcome = await deliverInvitation(invitation(1), windowed as typeof survey, {
        pacer: unpaced,
        deadline: Infinity,
      });
      expect(outcome).toBe('deferred');
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
      const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
      const monday = '2026-11-30T08:00:00.000Z';
      const requeued = updates.find((u) => Object.values(u.ExpressionAttributeValues ?? {}).includes(monday));
      expect(requeued?.Key).toEqual({ token: invitation(1).token });
      expect(Object.values(requeued?.ExpressionAttributeValues ?? {})).toContain('queued');
      const due = updates.find((u) => u.UpdateExpression === 'SET nextDueAt = :at');
      expect(due?.Key).toEqual({ pk: 'WAVE#w_aaaaaaaaaaaaaaaa', sk: 'WAVE' });
      expect(due?.ExpressionAttributeValues).toEqual({ ':at': '2026-11-30T08:00:00.000Z' });
    });

    it('hands the new time to onDeferred instead (a triggered invitation schedules itself)', async () => {
      contactFor = (id) => contact(id, { timezone: 'Europe/Stockholm' });
      at('2026-11-27T16:30:00.000Z');
      const deferred: string[] = [];
      const outcome = await deliverInvitation(invitation(1), windowed as typeof survey, {
        pacer: unpaced,
        deadline: Infinity,
        onDeferred: async (inv, sendAfter) => {
          deferred.push(`${inv.token} ${sendAfter}`);
        },
      });
      expect(outcome).toBe('deferred');
      expect(deferred).toEqual([`${invitation(1).token} 2026-11-30T08:00:00.000Z`]);
      const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
      expect(updates.some((u) => u.UpdateExpression === 'SET nextDueAt = :at')).toBe(false);
    });

    it('sends while the window is open in the contact zone', async () => {
      ses.on(SendEmailCommand).resolves({ MessageId: 'm1' });
      contactFor = (id) => contact(id, { timezone: 'America/New_York' });
      at('2026-11-27T16:30:00.000Z'); // Friday 11:30 in New York
      const outcome = await deliverInvitation(invitation(1), windowed as typeof survey, {
        pacer: unpaced,
        deadline: Infinity,
      });
      expect(outcome).toBe('sent');
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    });
  });
});
