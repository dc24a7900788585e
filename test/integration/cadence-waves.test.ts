/**
 * A cadence firing delivered more than once starts one wave, and a wave whose start stopped between
 * storing it and scheduling its expiry still gets that expiry. The code runs in this process
 * against the shared stack's DynamoDB Local and Scheduler stand-in (what the send function calls for
 * `wave.start` and `waves.resume`); a crash is a scheduler request that fails once, injected as SDK
 * middleware on the real client.
 */
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyEnvironment, handlerEnvironment } from '../../local/env.ts';
import { resetClients, schedulerClient } from '../../shared/aws/clients.ts';
import { setClockOffset } from '../../shared/clock.ts';
import { resetConfigCache } from '../../shared/config.ts';
import { atExpression } from '../../shared/schedule/scheduler.ts';
import { createSurvey, publishSurvey } from '../../shared/survey/lifecycle.ts';
import type { Survey } from '../../shared/survey/schema.ts';
import {
  createWave,
  ensureWaveTimers,
  scheduledWaveId,
  startScheduledWave,
} from '../../shared/wave/start.ts';
import { getWave } from '../../shared/wave/store.ts';
import { advanceClock, documentClient, stack, tableName } from './setup/helpers.ts';

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
  setClockOffset((await advanceClock(0)).getTime() - Date.now());
});

/** A published quarterly survey whose audience is nobody (its waves have nothing to send). */
async function quarterly(label: string): Promise<Survey> {
  const survey = await createSurvey({
    kind: 'nps',
    name: `Cadence ${label}`,
    companyName: 'Acme',
    cadence: { every: '3 months' },
    audience: { where: [{ field: 'email', endsWith: `@${label}-${run}.test` }] },
  });
  return publishSurvey(survey.id);
}

const waveIdsOf = async (surveyId: string): Promise<string[]> =>
  (
    (
      await documentClient().send(
        new QueryCommand({
          TableName: tableName('surveys'),
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': `SURVEY#${surveyId}#WAVES` },
        }),
      )
    ).Items ?? []
  ).map((item) => String(item.id));

const scheduleOf = (name: string) =>
  schedulerClient()
    .send(new GetScheduleCommand({ Name: name, GroupName: process.env.SCHEDULE_GROUP }))
    .catch((err: { name?: string }) => {
      if (err.name === 'ResourceNotFoundException') return undefined;
      throw err;
    });

describe('a cadence firing delivered twice', () => {
  it('starts one wave, whose id comes from the survey and the scheduled time', async () => {
    const survey = await quarterly('twice');
    const firing = '2026-12-02T09:00:00Z';
    const first = await startScheduledWave(survey.id, firing);
    const second = await startScheduledWave(survey.id, firing);
    expect(first.id).toBe(scheduledWaveId(survey.id, new Date(firing)));
    expect(second.id).toBe(first.id);
    expect(second.startedAt).toBe(first.startedAt);
    // Two deliveries at once, of another firing: one wave more, not two.
    const next = '2027-03-02T09:00:00Z';
    const racing = await Promise.all([
      startScheduledWave(survey.id, next),
      startScheduledWave(survey.id, next),
    ]);
    expect(racing[1].id).toBe(racing[0].id);
    expect((await waveIdsOf(survey.id)).sort()).toEqual([first.id, racing[0].id].sort());
    // Its expiry is scheduled once, at the wave's own closesAt.
    const expiry = await scheduleOf(`expire-${first.id}`);
    expect(expiry?.ScheduleExpression).toBe(atExpression(new Date(first.closesAt)));
    expect(await getWave(first.id)).not.toHaveProperty('timersPending');
  });

  it('an input without the scheduled time (a schedule made before it carried one) stands for the latest firing', async () => {
    const survey = await quarterly('legacy');
    const first = await startScheduledWave(survey.id, undefined);
    const again = await startScheduledWave(survey.id, '<aws.scheduler.scheduled-time>');
    expect(again.id).toBe(first.id);
    expect(await waveIdsOf(survey.id)).toEqual([first.id]);
  });
});

describe('a wave whose start stopped before its timers', () => {
  it('gets its expiry from the sweeper, at its own closesAt', async () => {
    const survey = await quarterly('crash');
    // The start stops at its first scheduler request, after the wave was stored.
    let crashes = 1;
    const crash = 'crash-before-timers';
    schedulerClient().middlewareStack.add(
      (next) => async (args) => {
        if (crashes > 0) {
          crashes--;
          throw new Error('the function stopped here');
        }
        return next(args);
      },
      { step: 'initialize', name: crash },
    );
    try {
      await expect(createWave(survey, 'api')).rejects.toThrow('the function stopped here');
    } finally {
      schedulerClient().middlewareStack.remove(crash);
    }
    const [waveId] = await waveIdsOf(survey.id);
    const stored = await getWave(waveId ?? '');
    expect(stored).toMatchObject({ status: 'sending', timersPending: true });
    expect(await scheduleOf(`expire-${waveId}`)).toBeUndefined();

    // The sweeper (`waves.resume`) comes by every 5 minutes for each active wave.
    await ensureWaveTimers(waveId ?? '');
    const expiry = await scheduleOf(`expire-${waveId}`);
    expect(expiry?.ScheduleExpression).toBe(atExpression(new Date(stored?.closesAt ?? '')));
    expect(expiry?.Target?.Input).toBe(JSON.stringify({ waveId }));
    expect(await scheduleOf(`remind-${waveId}-1`)).toBeDefined();
    expect(await getWave(waveId ?? '')).not.toHaveProperty('timersPending');
  });
});
