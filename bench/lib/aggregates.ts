/**
 * Seeding a survey's score as the score consumer leaves it: one wave and its aggregate items (`ALL`,
 * `W#wave`, one `D#day` per day over 30 days, `P#plan` and `P#plan#…` for three plans), with any number of answers
 * counted into them. The number of items is the same at every size; only the counts differ.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/aws/clients.ts';
import { nowMs } from '../../shared/clock.ts';
import { tableName } from '../../shared/config.ts';
import { newId, newWaveSecret } from '../../shared/ids.ts';
import { propertyKey, segmentGroup, valueKey } from '../../shared/score/aggregate.ts';
import { zeroCounts } from '../../shared/wave/schema.ts';
import { putNewWave } from '../../shared/wave/store.ts';
import type { BenchStack } from './stack.ts';

const dayMs = 86_400_000;
const days = 30;
const plans = ['free', 'pro', 'enterprise'];

export async function seedScoredSurvey(bench: BenchStack, answers: number): Promise<string> {
  const survey = await bench.api<{ id: string }>('POST', '/api/surveys', {
    kind: 'nps',
    name: `score bench ${answers}`,
    companyName: 'Bench',
    reportBy: ['plan'],
  });
  const start = nowMs() - days * dayMs;
  const waveId = newId('w');
  await putNewWave({
    id: waveId,
    surveyId: survey.id,
    status: 'open',
    phase: 'sent',
    trigger: 'api',
    startedAt: new Date(start).toISOString(),
    closesAt: new Date(start + 60 * dayMs).toISOString(),
    counts: { ...zeroCounts(), selected: 2 * answers, sent: 2 * answers },
    secret: newWaveSecret(),
  });

  const items = new Map<string, Record<string, number>>();
  const count = (key: string, score: number) => {
    const item = items.get(key) ?? { responses: 0, sum: 0 };
    item.responses = (item.responses ?? 0) + 1;
    item.sum = (item.sum ?? 0) + score;
    item[`d${score}`] = (item[`d${score}`] ?? 0) + 1;
    items.set(key, item);
  };
  // Every key gets answers at both sizes (100 answers cover 30 days and 3 plans), so the item count matches.
  for (let i = 0; i < answers; i++) {
    const score = (i * 7) % 11;
    const day = new Date(start + (i % days) * dayMs).toISOString().slice(0, 10);
    const plan = plans[i % plans.length] as string;
    for (const key of ['ALL', `W#${waveId}`, `D#${day}`, propertyKey('plan'), valueKey('plan', plan)])
      count(key, score);
  }
  const puts = [...items].map(([key, counts]) => ({
    PutRequest: {
      Item: {
        surveyId: survey.id,
        key,
        ...counts,
        // A plan's item, as the consumer writes it: its value and its group in the breakdown index.
        ...(key.startsWith('P#plan#') && {
          value: key.slice(7),
          segmentGroup: segmentGroup(survey.id, 'plan'),
        }),
      },
    },
  }));
  for (let i = 0; i < puts.length; i += 25) {
    let request: Record<string, unknown[]> | undefined = { [tableName('aggregates')]: puts.slice(i, i + 25) };
    while (request && Object.keys(request).length > 0) {
      const result = await dynamo().send(new BatchWriteCommand({ RequestItems: request as never }));
      request = result.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  }
  return survey.id;
}
