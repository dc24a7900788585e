/**
 * A survey with any number of real answers, as the product leaves them: each answer an answered
 * invitation item (in the `answersBySurvey` index the comment feed reads), and the aggregates that
 * count exactly those answers (as the score consumer would have left them). Four waves over 60 days,
 * a contact pool, `plan` and `region` reported, and about a third of the answers with a comment of
 * realistic length in one of the four languages. Written with BatchWriteItem, many at a time.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/aws/clients.ts';
import { nowMs } from '../../shared/clock.ts';
import { tableName } from '../../shared/config.ts';
import { newId, newWaveSecret, randomToken } from '../../shared/ids.ts';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { aggregateKeys } from '../../shared/score/aggregate.ts';
import type { TableId } from '../../shared/tables.ts';
import { zeroCounts } from '../../shared/wave/schema.ts';
import { putNewWave } from '../../shared/wave/store.ts';
import { progress } from './figure.ts';
import type { BenchStack } from './stack.ts';

const dayMs = 86_400_000;
const days = 60;
const waves = 4;
const plans = ['free', 'pro', 'enterprise'];
const regions = ['EU', 'NA', 'APAC'];
const contactPool = 500;

/** Comments as people write them: mostly a sentence or two, now and then a paragraph. */
const comments = [
  'Great support team, they answered within the hour.',
  'Too expensive for a small team like ours.',
  'The onboarding was confusing; it took us two weeks to send our first wave.',
  'Bra produkt men priset är för högt för oss just nu.',
  'Supporten var snabb och hjälpsam, tack!',
  '很好用，但是价格有点高。希望能有更便宜的套餐。',
  '客服回复很快，问题当天就解决了。',
  '介面很清楚，報表也很好用，謝謝你們的團隊。',
  '希望能增加匯出功能，目前每次都要手動整理資料。',
  'Please add an export to our data warehouse. We currently copy the numbers by hand every Monday, which is error-prone and takes an hour.',
  'Works as promised.',
  'I would recommend it to colleagues, but the mobile pages could load faster on slow connections. Our field staff answer surveys from trains and the page sometimes times out before the form appears.',
  'The reports are exactly what our board asks for every quarter. Being able to show the margin of error ended a lot of arguments about whether a two-point drop meant anything.',
  'Nothing to add.',
  'Vi saknar integration med vårt CRM. Annars är allt bra.',
  'We had a billing problem in March that took three emails to resolve. Since then everything has been smooth, and the new invoice page is much clearer than the old one. Still, a phone number for urgent billing questions would help.',
];

async function batchWrite(table: TableId, items: Record<string, unknown>[], concurrency = 8): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as Record<string, unknown>[];
      let requests: unknown[] = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 10) throw new Error(`${table}: writes kept coming back unprocessed`);
        const result = await dynamo().send(
          new BatchWriteCommand({ RequestItems: { [tableName(table)]: requests as never } }),
        );
        requests = result.UnprocessedItems?.[tableName(table)] ?? [];
        if (requests.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

type Counts = Record<string, number>;

/** Creates the survey and its answers; answers its id. `label` names it in the progress lines. */
export async function seedAnsweredSurvey(bench: BenchStack, answers: number, label: string): Promise<string> {
  const survey = await bench.api<{ id: string }>('POST', '/api/surveys', {
    kind: 'nps',
    name: `dashboard bench ${label}`,
    companyName: 'Bench',
    reportBy: ['plan', 'region'],
  });
  bench.seeded.add(survey.id);
  const start = nowMs() - days * dayMs;
  const waveIds = Array.from({ length: waves }, () => newId('w'));
  const perWave = Math.ceil(answers / waves);
  for (const [w, id] of waveIds.entries()) {
    const startedAt = start + w * (days / waves) * dayMs;
    const selected = Math.min(perWave, answers - w * perWave) * 2;
    await putNewWave({
      id,
      surveyId: survey.id,
      status: w === waves - 1 ? 'open' : 'closed',
      phase: 'sent',
      trigger: 'api',
      startedAt: new Date(startedAt).toISOString(),
      closesAt: new Date(startedAt + 14 * dayMs).toISOString(),
      counts: { ...zeroCounts(), selected, sent: selected, bounced: Math.floor(selected / 50) },
      secret: newWaveSecret(),
    });
  }
  const contacts = Array.from({ length: contactPool }, (_, i) => ({
    id: `c_bench${label}${i}`,
    email: `person${i}@${label}.bench.invalid`,
    name: `Person ${i}`,
    status: 'subscribed',
    properties: { plan: plans[i % plans.length], region: regions[i % regions.length] },
    feedback: {},
  }));
  await batchWrite('contacts', contacts);

  const aggregates = new Map<string, Counts>();
  const count = (key: string, score: number) => {
    const item = aggregates.get(key) ?? { responses: 0, sum: 0 };
    item.responses = (item.responses ?? 0) + 1;
    item.sum = (item.sum ?? 0) + score;
    item[`d${score}`] = (item[`d${score}`] ?? 0) + 1;
    aggregates.set(key, item);
  };
  const extras = new Map<string, Record<string, string>>();
  const invitations: Invitation[] = [];
  for (let i = 0; i < answers; i++) {
    const w = Math.min(waves - 1, Math.floor(i / perWave));
    const score = (i * 7 + w * 3) % 11;
    const contact = contacts[i % contactPool] as (typeof contacts)[number];
    // Answers spread over the days after their wave's start, in order, so the newest come last.
    const at = start + w * (days / waves) * dayMs + ((i % perWave) / perWave) * (days / waves) * dayMs;
    const respondedAt = new Date(at).toISOString();
    const props = { plan: String(contact.properties.plan), region: String(contact.properties.region) };
    const comment = i % 3 === 0 ? comments[(i / 3) % comments.length] : undefined;
    invitations.push({
      token: randomToken(survey.id),
      surveyId: survey.id,
      waveId: waveIds[w] as string,
      contactId: contact.id,
      kind: 'nps',
      scale: { min: 0, max: 10 },
      status: 'responded',
      createdAt: respondedAt,
      closesAt: new Date(at + 14 * dayMs).toISOString(),
      reportProps: props,
      score,
      ...(comment && { comment }),
      respondedAt,
      firstRespondedAt: respondedAt,
      responseVersion: 1,
      countedVersion: 1,
      countedScore: score,
    });
    // The consumer's own keys, so the seeded items are the ones it would leave (breakdowns included).
    for (const { key, attributes } of aggregateKeys(invitations.at(-1) as Invitation)) {
      count(key, score);
      if (attributes) extras.set(key, attributes);
    }
  }
  const t0 = performance.now();
  await batchWrite('invitations', invitations as unknown as Record<string, unknown>[]);
  await batchWrite(
    'aggregates',
    [...aggregates].map(([key, counts]) => ({ surveyId: survey.id, key, ...counts, ...extras.get(key) })),
  );
  progress(
    `dashboard: seeded ${label}: ${answers} answers in ${Math.round(performance.now() - t0)} ms (${aggregates.size} aggregate items)`,
  );
  return survey.id;
}
