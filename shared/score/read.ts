/**
 * Reading a score: one query of the survey's aggregates plus its waves, whatever the number of
 * answers, and with `by` a bounded breakdown (shared/score/breakdown); the figures come from
 * shared/scoring.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { tableName } from '../config.ts';
import { badRequest } from '../errors.ts';
import {
  addCounts,
  type Counts,
  cesFromCounts,
  csatFromCounts,
  emptyCounts,
  npsFromCounts,
} from '../scoring.ts';
import type { Survey } from '../survey/schema.ts';
import type { Wave } from '../wave/schema.ts';
import { listWaves } from '../wave/store.ts';
import { countsFromItem } from './aggregate.ts';
import { readBreakdown } from './breakdown.ts';

export interface ScoreQuery {
  wave?: string;
  from?: string;
  to?: string;
  by?: string;
}

/**
 * The survey's `ALL`, `D#…` and `W#…` aggregates. The `P#…` items (one per distinct value of each
 * `reportBy` property, however many) sort between them and are left out: breakdowns read their most
 * answered values through shared/score/breakdown.
 */
export async function aggregateItems(surveyId: string): Promise<Map<string, Counts>> {
  const items = new Map<string, Counts>();
  // Below 'P#' and from 'Q' on: every key but the 'P#…' ones.
  for (const range of ['#k < :bound', '#k >= :bound']) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo().send(
        new QueryCommand({
          TableName: tableName('aggregates'),
          KeyConditionExpression: `surveyId = :s AND ${range}`,
          ExpressionAttributeNames: { '#k': 'key' },
          ExpressionAttributeValues: { ':s': surveyId, ':bound': range.includes('<') ? 'P#' : 'Q' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) items.set(String(item.key), countsFromItem(item));
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return items;
}

/** Figures of one set of counts, as the score route shows them. */
export function figures(survey: Survey, counts: Counts, delivered?: number): Record<string, unknown> {
  const distribution: Record<string, number> = {};
  for (let s = survey.scale.min; s <= survey.scale.max; s++)
    distribution[String(s)] = counts.distribution[s] ?? 0;
  const base: Record<string, unknown> = { responses: counts.responses, distribution };
  if (delivered !== undefined) base.responseRate = delivered > 0 ? counts.responses / delivered : null;
  if (survey.kind === 'nps') return { ...base, ...npsFromCounts(counts) };
  if (survey.kind === 'csat') return { ...base, ...csatFromCounts(counts, survey.scale) };
  return { ...base, ...cesFromCounts(counts) };
}

const delivered = (wave: Wave): number => Math.max(0, (wave.counts.sent ?? 0) - (wave.counts.bounced ?? 0));

const dayOf = (value: string, name: string): string => {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badRequest(`${name} must be an ISO date or time`);
  return new Date(t).toISOString().slice(0, 10);
};

export async function readScore(survey: Survey, query: ScoreQuery): Promise<Record<string, unknown>> {
  if (query.by !== undefined && !survey.reportBy.includes(query.by)) {
    throw badRequest(
      `by: "${query.by}" is not one of this survey's reportBy properties (${survey.reportBy.join(', ') || 'none'})`,
    );
  }
  const [items, waves, breakdown] = await Promise.all([
    aggregateItems(survey.id),
    listWaves(survey.id),
    query.by === undefined ? undefined : readBreakdown(survey.id, query.by),
  ]);
  let counts: Counts;
  let deliveredCount: number | undefined;
  if (query.wave !== undefined) {
    const wave = waves.find((w) => w.id === query.wave);
    if (!wave) throw badRequest(`wave: ${query.wave} is not a wave of survey ${survey.id}`);
    counts = items.get(`W#${wave.id}`) ?? emptyCounts();
    deliveredCount = delivered(wave);
  } else if (query.from !== undefined || query.to !== undefined) {
    const from = query.from ? dayOf(query.from, 'from') : '0000-00-00';
    const to = query.to ? dayOf(query.to, 'to') : '9999-99-99';
    counts = emptyCounts();
    for (const [key, c] of items) {
      if (key.startsWith('D#') && key.slice(2) >= from && key.slice(2) <= to) counts = addCounts(counts, c);
    }
    const inRange = waves.filter((w) => w.startedAt.slice(0, 10) >= from && w.startedAt.slice(0, 10) <= to);
    deliveredCount = inRange.reduce((n, w) => n + delivered(w), 0);
  } else {
    counts = items.get('ALL') ?? emptyCounts();
    deliveredCount = waves.reduce((n, w) => n + delivered(w), 0);
  }
  const answer: Record<string, unknown> = {
    kind: survey.kind,
    surveyId: survey.id,
    scale: survey.scale,
    ...figures(survey, counts, deliveredCount),
  };
  if (query.by !== undefined && breakdown) {
    const segments: Record<string, unknown> = {};
    for (const { value, counts: c } of breakdown.values) segments[value] = figures(survey, c);
    answer.by = query.by;
    answer.segments = segments;
    // Beside `segments`, not in it: "other" may well be one of the values themselves.
    if (breakdown.other) answer.otherValues = figures(survey, breakdown.other);
  }
  answer.waves = waves.map((wave) => ({
    waveId: wave.id,
    startedAt: wave.startedAt,
    status: wave.status,
    ...figures(survey, items.get(`W#${wave.id}`) ?? emptyCounts(), delivered(wave)),
  }));
  return answer;
}
