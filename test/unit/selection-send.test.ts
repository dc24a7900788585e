/**
 * The send path's choices around claims (shared/send/delivery.ts, ses-events.ts, pacer.ts), against
 * mocked DynamoDB and SES: which invitation a run sends, settles, leaves to another run, or keeps
 * its page for, so that a crash, a takeover or a throttle never costs a contact its email or gives
 * it two.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resetConfigCache } from '../../shared/config.ts';
import type { Contact } from '../../shared/contact/schema.ts';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { deliverInvitation } from '../../shared/send/delivery.ts';
import { inFlightLimitFor, sendPage } from '../../shared/send/pass.ts';
import { handleSesEvent } from '../../shared/send/ses-events.ts';
import type { Pacer } from '../../shared/send/ses-rate.ts';
import { newSurvey } from '../../shared/survey/lifecycle.ts';
import { type Wave, zeroCounts } from '../../shared/wave/schema.ts';

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
const waveId = 'w_aaaaaaaaaaaaaaaa';
const wave: Wave = {
  id: waveId,
  surveyId: survey.id,
  status: 'sending',
  phase: 'sending',
  trigger: 'api',
  startedAt: '2026-11-01T00:00:00.000Z',
  closesAt: '2099-01-01T00:00:00.000Z',
  counts: zeroCounts(),
  secret: 'secret',
};
const invitation = (over: Partial<Invitation> = {}): Invitation => ({
  token: `${survey.id}.${'a'.repeat(24)}`,
  surveyId: survey.id,
  waveId,
  contactId: 'c_1',
  kind: 'nps',
  scale: survey.scale,
  status: 'queued',
  createdAt: '2026-11-01T00:00:00.000Z',
  closesAt: '2099-01-01T00:00:00.000Z',
  ...over,
});
const contact: Contact = {
  id: 'c_1',
  email: 'ann@customer.test',
  properties: {},
  status: 'subscribed',
  feedback: {},
  surveyed: {},
  createdAt: '',
  updatedAt: '',
};
const conditionFailed = () =>
  Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
const throttled = () =>
  Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });
const ctx = (deadline = Infinity) => ({ pacer: unpaced, deadline, wait: async () => {} });
const pass = (deadline = Infinity) => sendPage(wave, survey, ctx(deadline), new Map());

/** What the mocked tables are asked: updates of the invitations table, and settles. */
const invitationUpdates = () =>
  ddb
    .commandCalls(UpdateCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.TableName === 'invitations');
const settles = () =>
  ddb.commandCalls(TransactWriteCommand).map((c) => {
    const [inv, count] = c.args[0].input.TransactItems ?? [];
    return {
      to: inv?.Update?.ExpressionAttributeValues?.[':to'],
      count: count?.Update?.ExpressionAttributeNames?.['#count'],
    };
  });

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ddb.on(UpdateCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(GetCommand, { TableName: 'contacts' }).resolves({ Item: contact });
  // The stamp's write answers the contact as it was.
  ddb.on(UpdateCommand, { TableName: 'contacts' }).resolves({ Attributes: contact });
  ddb.on(GetCommand, { TableName: 'surveys' }).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'm1' });
});

/** The wave's index lists these invitations (keys only), and BatchGetItem answers them as they are. */
function listed(invitations: Invitation[]): void {
  ddb.on(QueryCommand).resolves({
    Items: invitations.map(({ token, waveId, contactId }) => ({ token, waveId, contactId })),
  });
  ddb.on(BatchGetCommand).resolves({ Responses: { invitations } });
}

describe('a page with a claim another run still holds', () => {
  const fresh = invitation({ status: 'sending', sendingAt: Date.now() });

  it('does not hold the pass up, sends nothing while the claim is fresh, and is not done without it', async () => {
    listed([fresh]);
    ddb.on(GetCommand, { TableName: 'invitations' }).resolves({ Item: fresh });
    const pending = new Map();
    // The deadline comes while the claim is still fresh: the wave is not complete, a next run goes on.
    expect(await sendPage(wave, survey, ctx(Date.now() + 50), pending)).toEqual({ state: 'progress' });
    expect([...pending.keys()]).toEqual([fresh.token]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('is complete once that claim is settled', async () => {
    listed([fresh]);
    ddb.on(GetCommand, { TableName: 'invitations' }).resolves({ Item: { ...fresh, status: 'sent' } });
    expect(await pass()).toEqual({ state: 'complete' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('settles it without an email when SES confirms it while the pass waits', async () => {
    listed([fresh]);
    ddb
      .on(GetCommand, { TableName: 'invitations' })
      .resolvesOnce({ Item: fresh })
      .resolves({ Item: { ...fresh, sesAcceptedAt: '2026-11-01T00:00:01.000Z' } });
    expect(await pass()).toEqual({ state: 'complete' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(settles()).toEqual([{ to: 'sent', count: 'sent' }]);
  });
});

describe('the end of a pass, checked against the counts', () => {
  const counted = (counts: Partial<Wave['counts']>) =>
    ddb
      .on(GetCommand, { TableName: 'surveys' })
      .resolves({ Item: { ...wave, counts: { ...zeroCounts(), ...counts } } });
  const rechecks = () =>
    ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .filter((input) => input.UpdateExpression === 'SET sendRecheckAt = :at');

  it('is complete when every selected invitation is sent, failed, suppressed or expired', async () => {
    listed([]);
    counted({ selected: 4, sent: 1, failed: 1, suppressed: 1, expired: 1 });
    expect(await pass()).toEqual({ state: 'complete' });
    expect(rechecks()).toHaveLength(0);
  });

  it('stalls once when some are not (an index that lags), then completes', async () => {
    listed([]);
    counted({ selected: 3, sent: 2 });
    expect(await pass()).toEqual({ state: 'stalled' });
    expect(rechecks()).toHaveLength(1);
    expect(rechecks()[0]?.ConditionExpression).toContain('attribute_not_exists(sendRecheckAt)');
    // Passed over once already: the shortfall is in the counts, and the wave must not stay stuck.
    ddb.on(UpdateCommand, { UpdateExpression: 'SET sendRecheckAt = :at' }).rejects(conditionFailed());
    expect(await pass()).toEqual({ state: 'complete' });
  });

  /** A pass over an empty listing that records its waits, the counts read in turn from `seq`. */
  const passWaiting = async (seq: Partial<Wave['counts']>[]) => {
    listed([]);
    let read = 0;
    ddb.on(GetCommand, { TableName: 'surveys' }).callsFake(() => {
      const counts = seq[Math.min(read++, seq.length - 1)];
      return { Item: { ...wave, counts: { ...zeroCounts(), ...counts } } };
    });
    const waits: number[] = [];
    const wait = async (ms: number) => {
      waits.push(ms);
    };
    const progress = await sendPage(wave, survey, { pacer: unpaced, deadline: Infinity, wait }, new Map());
    return { progress, waits };
  };

  it('waits for counts still moving, looking less often as it waits, and is complete once they add up', async () => {
    const { progress, waits } = await passWaiting([
      { selected: 3 },
      { selected: 3, sent: 1 },
      { selected: 3, sent: 2 },
      { selected: 3, sent: 3 },
    ]);
    expect(progress).toEqual({ state: 'complete' });
    expect(waits).toEqual([200, 400, 800]);
    expect(rechecks()).toHaveLength(0);
  });

  it('stops waiting once the counts have not moved for 3 s, looking at most once a second', async () => {
    const { progress, waits } = await passWaiting([{ selected: 3, sent: 1 }]);
    expect(progress).toEqual({ state: 'stalled' });
    expect(waits).toEqual([200, 400, 800, 1000, 1000]);
    expect(rechecks()).toHaveLength(1);
  });
});

describe('the contact\'s "surveyed" stamp, taken before SES is called', () => {
  const stamps = () =>
    ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .filter((input) => input.TableName === 'contacts');

  it('names the invitation, so that the same invitation tried again passes', async () => {
    expect(await deliverInvitation(invitation(), survey, ctx())).toBe('sent');
    const [stamp] = stamps();
    expect(stamp?.UpdateExpression).toContain('surveyedBy.#s = :token');
    expect(stamp?.ConditionExpression).toContain('surveyedBy.#s = :token');
    expect(stamp?.ExpressionAttributeValues?.[':token']).toBe(invitation().token);
  });

  it('is put back when SES refuses the email for good: the contact was not surveyed', async () => {
    ddb.on(UpdateCommand, { TableName: 'contacts' }).resolves({
      Attributes: { ...contact, lastSurveyedAt: '2026-01-01T00:00:00.000Z', lastSurveyedBy: 'older' },
    });
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Address blacklisted.'), { name: 'MessageRejected' }));
    expect(await deliverInvitation(invitation(), survey, ctx())).toBe('failed');
    const [, survey1, account] = stamps();
    expect(survey1?.UpdateExpression).toBe('REMOVE surveyed.#s, surveyedBy.#s');
    expect(survey1?.ConditionExpression).toBe('surveyedBy.#s = :token');
    expect(account?.UpdateExpression).toBe('SET lastSurveyedAt = :v0, lastSurveyedBy = :v1');
    expect(account?.ExpressionAttributeValues).toMatchObject({
      ':v0': '2026-01-01T00:00:00.000Z',
      ':v1': 'older',
    });
    expect(account?.ConditionExpression).toBe('lastSurveyedBy = :token');
  });

  it('suppresses the invitation, unsent, when another one took it within the skip window', async () => {
    ddb
      .on(UpdateCommand, { TableName: 'contacts' })
      .rejects(Object.assign(conditionFailed(), { Item: { ...contact, surveyed: { [survey.id]: 'x' } } }));
    expect(await deliverInvitation(invitation(), survey, ctx())).toBe('suppressed');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(settles()).toEqual([{ to: 'suppressed', count: 'suppressed' }]);
  });
});

it('counts as sent an invitation answered before its run settled it, keeping it responded', async () => {
  const refused = Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
  });
  ddb.on(TransactWriteCommand).rejectsOnce(refused).resolves({});
  expect(await deliverInvitation(invitation(), survey, ctx())).toBe('sent');
  const [sending, responded] = ddb
    .commandCalls(TransactWriteCommand)
    .map((c) => c.args[0].input.TransactItems);
  expect(sending?.[0]?.Update?.ConditionExpression).toContain('#status IN');
  expect(responded?.[0]?.Update?.ConditionExpression).toBe(
    '#status = :responded AND attribute_not_exists(sentAt)',
  );
  expect(responded?.[0]?.Update?.UpdateExpression).toBe('SET sentAt = :sentAt, messageId = :messageId');
  expect(responded?.[1]?.Update?.ExpressionAttributeNames).toEqual({ '#count': 'sent' });
});

describe('taking over a stale claim', () => {
  const stale = invitation({ status: 'sending', sendingAt: Date.now() - 10 * 60_000 });

  it('claims it only as it was read: same sendingAt, still unconfirmed by SES', async () => {
    expect(await deliverInvitation(stale, survey, ctx())).toBe('sent');
    const claim = invitationUpdates()[0];
    expect(claim?.ConditionExpression).toContain('sendingAt = :seen');
    expect(claim?.ConditionExpression).toContain('attribute_not_exists(sesAcceptedAt)');
    expect(claim?.ExpressionAttributeValues?.[':seen']).toBe(stale.sendingAt);
    expect(claim?.ExpressionAttributeValues?.[':to']).toBe('sending');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('settles it as sent, without an email, when SES confirmed it after the read', async () => {
    ddb.on(UpdateCommand, { TableName: 'invitations' }).rejects(conditionFailed());
    ddb
      .on(GetCommand, { TableName: 'invitations' })
      .resolves({ Item: { ...stale, sesAcceptedAt: '2026-11-01T00:00:01.000Z' } });
    expect(await deliverInvitation(stale, survey, ctx())).toBe('sent');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(settles()).toEqual([{ to: 'sent', count: 'sent' }]);
  });

  it('leaves it when another run took it over first (to look at again later)', async () => {
    ddb.on(UpdateCommand, { TableName: 'invitations' }).rejects(conditionFailed());
    ddb.on(GetCommand, { TableName: 'invitations' }).resolves({ Item: { ...stale, sendingAt: Date.now() } });
    expect(await deliverInvitation(stale, survey, ctx())).toBe('pending');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(settles()).toEqual([]);
  });

  it('settles a claim SES confirmed (its Send event) without claiming or sending it again', async () => {
    const confirmed = { ...stale, sesAcceptedAt: '2026-11-01T00:00:01.000Z' };
    expect(await deliverInvitation(confirmed, survey, ctx())).toBe('sent');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(settles()).toEqual([{ to: 'sent', count: 'sent' }]);
    // The contact's "surveyed" stamp was taken by the run that sent it, before SES was called.
    const marks = ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.TableName === 'contacts');
    expect(marks).toHaveLength(0);
  });
});

describe('backing off after a throttle', () => {
  it('renews its claim before trying again, so that it never looks stale to another run', async () => {
    let calls = 0;
    ses.on(SendEmailCommand).callsFake(() => {
      calls++;
      if (calls === 1) throw throttled();
      return { MessageId: 'm2' };
    });
    expect(await deliverInvitation(invitation(), survey, ctx())).toBe('sent');
    const [claim, renewal] = invitationUpdates();
    expect(claim?.ExpressionAttributeValues?.[':to']).toBe('sending');
    expect(renewal?.ConditionExpression).toContain('sendingAt = :ours');
    expect(renewal?.ExpressionAttributeValues?.[':ours']).toBe(claim?.ExpressionAttributeValues?.[':at']);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it('sends no second email when the claim was taken over meanwhile', async () => {
    ses.on(SendEmailCommand).rejects(throttled());
    let updates = 0;
    ddb.on(UpdateCommand, { TableName: 'invitations' }).callsFake(() => {
      updates++;
      if (updates > 1) throw conditionFailed(); // the renewal: someone else's claim now
      return {};
    });
    ddb
      .on(GetCommand, { TableName: 'invitations' })
      .resolves({ Item: invitation({ status: 'sending', sendingAt: Date.now() }) });
    expect(await deliverInvitation(invitation(), survey, ctx())).toBe('pending');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('settles as sent when SES did take an attempt that failed on our side (a 500 after it took it)', async () => {
    ses.on(SendEmailCommand).rejects(
      Object.assign(new Error('Internal failure'), {
        name: 'InternalFailure',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    let updates = 0;
    ddb.on(UpdateCommand, { TableName: 'invitations' }).callsFake(() => {
      updates++;
      if (updates > 1) throw conditionFailed(); // sesAcceptedAt is set: no renewal
      return {};
    });
    ddb
      .on(GetCommand, { TableName: 'invitations' })
      .resolves({ Item: invitation({ status: 'sending', sesAcceptedAt: '2026-11-01T00:00:01.000Z' }) });
    expect(await deliverInvitation(invitation(), survey, ctx())).toBe('sent');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(settles()).toEqual([{ to: 'sent', count: 'sent' }]);
  });
});

describe('an SES call that got no answer (the email may have gone)', () => {
  const reset = () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });

  it('is never simply sent again: the claim stays until a Send event or staleness decides', async () => {
    ses.on(SendEmailCommand).rejects(reset());
    expect(await deliverInvitation(invitation(), survey, ctx())).toBe('pending');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    // Nothing put it back in the queue, failed it, or renewed the claim.
    expect(settles()).toEqual([]);
    expect(invitationUpdates().map((u) => u.ExpressionAttributeValues?.[':to'])).toEqual(['sending']);
  });

  it('is sent again once its claim went stale without a Send event', async () => {
    const stale = invitation({ status: 'sending', sendingAt: Date.now() - 10 * 60_000 });
    expect(await deliverInvitation(stale, survey, ctx())).toBe('sent');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });
});

describe('a run about to be stopped, or whose claim may have gone stale while it waited', () => {
  it('starts no SES call past stopBy: the invitation goes back to the queue, the stamp back too', async () => {
    const context = { ...ctx(), stopBy: Date.now() - 1 };
    expect(await deliverInvitation(invitation(), survey, context)).toBe('not-started');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(invitationUpdates().map((u) => u.ExpressionAttributeValues?.[':to'])).toEqual([
      'sending',
      'queued',
    ]);
    const restored = ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .filter((u) => u.TableName === 'contacts' && String(u.UpdateExpression).startsWith('REMOVE'));
    expect(restored.length).toBeGreaterThan(0);
  });

  it('renews an old claim before calling SES, and sends nothing when another run has it now', async () => {
    process.env.SEND_STALE_CLAIM_SECONDS = '0';
    resetConfigCache();
    try {
      let updates = 0;
      ddb.on(UpdateCommand, { TableName: 'invitations' }).callsFake(async () => {
        updates++;
        if (updates > 1) throw conditionFailed(); // the renewal: someone else's claim now
        // The claim takes a few ms, so that it is old by the time SES is called (in the same ms it is not).
        await new Promise((resolve) => setTimeout(resolve, 3));
        return {};
      });
      ddb
        .on(GetCommand, { TableName: 'invitations' })
        .resolves({ Item: invitation({ status: 'sending', sendingAt: Date.now() }) });
      expect(await deliverInvitation(invitation(), survey, ctx())).toBe('pending');
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    } finally {
      delete process.env.SEND_STALE_CLAIM_SECONDS;
      resetConfigCache();
    }
  });

  it('looks again later at an invitation another run claimed first, instead of passing it by', async () => {
    ddb.on(UpdateCommand, { TableName: 'invitations' }).rejects(conditionFailed());
    ddb
      .on(GetCommand, { TableName: 'invitations' })
      .resolves({ Item: invitation({ status: 'sending', sendingAt: Date.now() }) });
    expect(await deliverInvitation(invitation(), survey, ctx())).toBe('pending');
    ddb.on(GetCommand, { TableName: 'invitations' }).resolves({ Item: invitation({ status: 'sent' }) });
    expect(await deliverInvitation(invitation(), survey, ctx())).toBe('skipped');
  });
});

describe('an SES account that cannot send', () => {
  it('fails nobody: the invitation goes back to the queue and the run says why', async () => {
    ses.on(SendEmailCommand).rejects(
      Object.assign(new Error('Sending is paused for this account.'), {
        name: 'SendingPausedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const context: Parameters<typeof deliverInvitation>[2] = ctx();
    expect(await deliverInvitation(invitation(), survey, context)).toBe('paused');
    expect(context.paused).toContain('SendingPausedException');
    expect(settles()).toEqual([]);
    expect(invitationUpdates().map((u) => u.ExpressionAttributeValues?.[':to'])).toEqual([
      'sending',
      'queued',
    ]);
  });
});

describe('a survey unpublished while its wave was sending', () => {
  it('emails nobody more: what was queued is suppressed', async () => {
    const unpublished = { ...survey, state: 'unpublished' as const };
    expect(await deliverInvitation(invitation(), unpublished, ctx())).toBe('suppressed');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(settles()).toEqual([{ to: 'suppressed', count: 'suppressed' }]);
  });
});

it('counts a bounce of an invitation still `sending` as sent, then bounced', async () => {
  ddb
    .on(GetCommand, { TableName: 'invitations' })
    .resolves({ Item: invitation({ status: 'sending', sendingAt: Date.now() }) });
  const outcome = await handleSesEvent({
    source: 'aws.ses',
    'detail-type': 'Email Bounced',
    detail: {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent' },
      mail: { messageId: 'm1', destination: [contact.email], tags: { invitation: [invitation().token] } },
    },
  });
  expect(outcome).toBe('bounced');
  expect(settles()).toEqual([
    { to: 'sent', count: 'sent' },
    { to: 'bounced', count: 'bounced' },
  ]);
});

/** A listing longer than one BatchGetItem: each is answered the keys it asked for, in reverse order. */
function listedLong(invitations: Invitation[]): void {
  ddb
    .on(QueryCommand)
    .resolves({ Items: invitations.map(({ token, waveId, contactId }) => ({ token, waveId, contactId })) });
  ddb
    .on(BatchGetCommand)
    .callsFake((input: { RequestItems: Record<string, { Keys: { token: string }[] }> }) => {
      const keys = new Set(input.RequestItems.invitations?.Keys.map((k) => k.token));
      // Answered in reverse order, as BatchGetItem may: the page keeps the index's.
      return { Responses: { invitations: invitations.filter((inv) => keys.has(inv.token)).reverse() } };
    });
}

describe('the page a pass lists', () => {
  it('is 100 invitations at an ordinary rate, and three times what is in flight at a fast one', async () => {
    listed([]);
    await pass();
    const fast: Pacer = { take: async () => {}, inFlight: 128 };
    await sendPage(wave, survey, { pacer: fast, deadline: Infinity, wait: async () => {} }, new Map());
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.Limit)).toEqual([100, 384]);
  });

  it('reads a long listing 100 keys a BatchGetItem, every invitation once, in the index order', async () => {
    const many = Array.from({ length: 384 }, (_, i) =>
      invitation({ token: `${survey.id}.${String(i).padStart(24, '0')}`, contactId: `c_${i}` }),
    );
    listedLong(many);
    const fast: Pacer = { take: async () => {}, inFlight: 128 };
    const sent: string[] = [];
    ses.on(SendEmailCommand).callsFake((input: { EmailTags: { Name: string; Value: string }[] }) => {
      sent.push(input.EmailTags.find((t) => t.Name === 'invitation')?.Value ?? '');
      return { MessageId: `m${sent.length}` };
    });
    await sendPage(wave, survey, { pacer: fast, deadline: Infinity, wait: async () => {} }, new Map());
    expect(
      ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.invitations?.Keys?.length),
    ).toEqual([100, 100, 100, 84]);
    expect(new Set(sent).size).toBe(384);
    // Claimed in the index's order (by contact), not BatchGetItem's.
    const claimed = invitationUpdates()
      .filter((input) => input.ExpressionAttributeValues?.[':to'] === 'sending')
      .map((input) => input.Key?.token);
    expect(claimed).toEqual(many.map((inv) => inv.token));
  });
});

describe('what a run keeps in flight at a fast rate', () => {
  /**
   * A table that serves claims one after another, 2 ms each (as DynamoDB Local does, or a throttled
   * table with the SDK's retries): the more a run keeps in flight, the longer each claim waits.
   */
  function queuedClaims(): { peak: () => number } {
    let active = 0;
    let peak = 0;
    let free = Date.now();
    ddb.on(UpdateCommand, { TableName: 'invitations' }).callsFake(async () => {
      active++;
      peak = Math.max(peak, active);
      free = Math.max(free, Date.now()) + 2;
      await new Promise((resolve) => setTimeout(resolve, free - Date.now()));
      active--;
      return {};
    });
    return { peak: () => peak };
  }
  const many = Array.from({ length: 384 }, (_, i) =>
    invitation({ token: `${survey.id}.${String(i).padStart(24, '0')}`, contactId: `c_${i}` }),
  );
  const fast: Pacer = { take: async () => {}, inFlight: 128 };
  /** One page of 384 at a rate that could use 128 in flight; answers the run's in-flight count after. */
  const passFast = async () => {
    listedLong(many);
    const inFlight = inFlightLimitFor(fast);
    await sendPage(
      wave,
      survey,
      { pacer: fast, deadline: Infinity, wait: async () => {}, inFlight },
      new Map(),
    );
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(384);
    return inFlight;
  };

  it('follows the round trips: fewer than the rate could use when the table queues them, every email sent once', async () => {
    const table = queuedClaims();
    const inFlight = await passFast();
    expect(settles().filter((s) => s.to === 'sent')).toHaveLength(384);
    // It never reached the 128 the rate could use, and left the run below it.
    expect(table.peak()).toBeLessThan(100);
    expect(inFlight.current).toBeLessThan(64);
  });

  it('climbs to what the rate can use when the table answers at once', async () => {
    // "At once" exactly: the clock stands still, so every round trip is 0 ms (a loaded machine's
    // event loop would otherwise add its own delays to an instant mock).
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      expect((await passFast()).current).toBeGreaterThan(32);
    } finally {
      vi.useRealTimers();
    }
  });
});
