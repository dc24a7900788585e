/**
 * A send pass that ends before the byWave index lists every invitation. On AWS the index is
 * eventually consistent, and a small wave is emailed moments after its invitations are put: the
 * pass must not call the wave done while a selected invitation is still queued. Here the send code
 * runs in this process against the shared stack's DynamoDB Local and SES, holding the wave's lease
 * so that the stack's own sweeper leaves the wave to the test; an invitation without its index sort
 * key stands for one the index does not list yet (DynamoDB Local's indexes are never late).
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyEnvironment, handlerEnvironment } from '../../local/env.ts';
import { resetClients } from '../../shared/aws/clients.ts';
import { setClockOffset } from '../../shared/clock.ts';
import { resetConfigCache } from '../../shared/config.ts';
import { type SendProgress, sendPage } from '../../shared/send/pass.ts';
import { selectPage } from '../../shared/send/selection.ts';
import type { Pacer } from '../../shared/send/ses-rate.ts';
import { requireSurvey } from '../../shared/survey/store.ts';
import type { Wave } from '../../shared/wave/schema.ts';
import { createWave } from '../../shared/wave/start.ts';
import { acquireWaveLease, getWave, releaseWaveLease } from '../../shared/wave/store.ts';
import {
  advanceClock,
  documentClient,
  apiOk as ok,
  outbox,
  stack,
  tableName,
  waveInvitations,
} from './setup/helpers.ts';

/** SES pacing is ses-rate.ts's (test/unit/ses-rate.test.ts); here every call may go at once. */
const unpaced: Pacer = { take: async () => {} };

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

beforeAll(async () => {
  const info = stack();
  applyEnvironment(
    handlerEnvironment({
      gatewayUrl: info.url,
      dynamoUrl: info.dynamoUrl,
      sesUrl: info.sesUrl,
      controlUrl: info.controlUrl,
      adminKeyHash: '0'.repeat(64),
    }),
  );
  resetConfigCache();
  resetClients();
  // The stack's clock may have been moved on by other tests: this process keeps the same time.
  setClockOffset((await advanceClock(0)).getTime() - Date.now());
});

async function reread(wave: Wave): Promise<Wave> {
  const current = await getWave(wave.id);
  if (!current) throw new Error(`wave ${wave.id} is gone`);
  return current;
}

/** Pages on until the pass ends: complete, stalled or waiting. */
async function sendPass(wave: Wave): Promise<SendProgress> {
  const survey = await requireSurvey(wave.surveyId);
  const pending = new Map();
  for (;;) {
    const current = await reread(wave);
    const progress = await sendPage(current, survey, { pacer: unpaced, deadline: Infinity }, pending);
    if (progress.state !== 'progress') return progress;
  }
}

const invitationsOf = (waveId: string) => waveInvitations(waveId);

const statusOf = async (token: string) =>
  (
    await documentClient().send(
      new GetCommand({ TableName: tableName('invitations'), Key: { token }, ConsistentRead: true }),
    )
  ).Item?.status;

const setContactId = (token: string, contactId: string | undefined) =>
  documentClient().send(
    new UpdateCommand({
      TableName: tableName('invitations'),
      Key: { token },
      ...(contactId === undefined
        ? { UpdateExpression: 'REMOVE contactId' }
        : { UpdateExpression: 'SET contactId = :c', ExpressionAttributeValues: { ':c': contactId } }),
    }),
  );

describe('a send pass that ends before the index lists every invitation', () => {
  it('is passed over again instead of done, and the invitation it missed is emailed once', async () => {
    const domain = `lag-${run}.test`;
    const emails = ['ann', 'bo', 'cy'].map((name) => `${name}@${domain}`);
    await ok('/api/contacts', { body: { contacts: emails.map((email) => ({ email })) } });
    const { id: surveyId } = await ok<{ id: string }>('/api/surveys', {
      body: {
        kind: 'nps',
        name: 'Index lag',
        companyName: 'Acme',
        audience: { where: [{ field: 'email', endsWith: `@${domain}` }] },
      },
    });
    await ok(`/api/surveys/${surveyId}/publish`, { method: 'POST' });

    let wave = await createWave(surveyId, 'api');
    const owner = randomUUID();
    expect(await acquireWaveLease(wave.id, owner, 10 * 60_000)).toBe(true);
    try {
      const survey = await requireSurvey(surveyId);
      while (wave.phase === 'selecting') {
        await selectPage(wave, survey);
        wave = await reread(wave);
      }
      expect(wave.counts.selected).toBe(3);
      const [missed] = await invitationsOf(wave.id);
      const token = String(missed?.token);
      const contactId = String(missed?.contactId);
      await setContactId(token, undefined);
      expect(await invitationsOf(wave.id)).toHaveLength(2);

      // The pass emails the two it lists, then finds one selected invitation unsettled: not done.
      expect(await sendPass(wave)).toEqual({ state: 'stalled' });
      wave = await reread(wave);
      expect(wave).toMatchObject({ phase: 'sending', status: 'sending', counts: { selected: 3, sent: 2 } });
      expect(wave.sendRecheckAt).toEqual(expect.any(String));
      expect(await statusOf(token)).toBe('queued');

      // The index has caught up by the next run: it emails the missed one, and the wave is done.
      await setContactId(token, contactId);
      expect(await sendPass(wave)).toEqual({ state: 'complete' });
      expect((await reread(wave)).counts).toMatchObject({ selected: 3, sent: 3 });
      expect(await statusOf(token)).toBe('sent');
      for (const email of emails) expect(await outbox({ to: email })).toHaveLength(1);
    } finally {
      await releaseWaveLease(wave.id, owner);
    }
  });
});

describe('two waves of one survey at once', () => {
  it('email each contact once: both select everyone, and the first stamp wins at send time', async () => {
    const domain = `twice-${run}.test`;
    const emails = Array.from({ length: 12 }, (_, i) => `c${i}@${domain}`);
    await ok('/api/contacts', { body: { contacts: emails.map((email) => ({ email })) } });
    const { id: surveyId } = await ok<{ id: string }>('/api/surveys', {
      body: {
        kind: 'nps',
        name: 'Started twice',
        companyName: 'Acme',
        audience: { where: [{ field: 'email', endsWith: `@${domain}` }] },
      },
    });
    await ok(`/api/surveys/${surveyId}/publish`, { method: 'POST' });
    const survey = await requireSurvey(surveyId);
    // A double click, or a retried script: two waves, each selecting everyone before either sends.
    const owner = randomUUID();
    let waves = [await createWave(survey, 'api'), await createWave(survey, 'api')];
    try {
      for (const wave of waves) expect(await acquireWaveLease(wave.id, owner, 10 * 60_000)).toBe(true);
      for (let w = 0; w < waves.length; w++) {
        let wave = waves[w] as Wave;
        while (wave.phase === 'selecting') {
          await selectPage(wave, survey);
          wave = await reread(wave);
        }
        expect(wave.counts.selected).toBe(emails.length);
        waves[w] = wave;
      }
      expect(await Promise.all(waves.map(sendPass))).toEqual([{ state: 'complete' }, { state: 'complete' }]);
      for (const email of emails) expect(await outbox({ to: email })).toHaveLength(1);
      waves = await Promise.all(waves.map(reread));
      const total = (name: 'sent' | 'suppressed') => waves.reduce((sum, wave) => sum + wave.counts[name], 0);
      expect(total('sent')).toBe(emails.length);
      expect(total('suppressed')).toBe(emails.length);
    } finally {
      for (const wave of waves) await releaseWaveLease(wave.id, owner);
    }
    // The stamp names the invitation that took it, which the admin API never shows.
    const contact = await ok<Record<string, unknown>>(
      `/api/contacts?email=${encodeURIComponent(emails[0] ?? '')}`,
    );
    expect(contact).toMatchObject({ surveyed: { [surveyId]: expect.any(String) } });
    expect(contact).not.toHaveProperty('surveyedBy');
    expect(contact).not.toHaveProperty('lastSurveyedBy');
  });
});
