/**
 * Surveys as the answering path reads them: kept per container for a few seconds, so that recording
 * an answer is one DynamoDB write. A survey edit reaches thank-you pages within that time; every rule
 * that decides whether an answer counts is in the write's own condition, never in this copy.
 */
import type { Survey } from './schema.ts';
import { getSurvey } from './store.ts';

const ttlMs = 30_000;
const maxEntries = 500;
const cache = new Map<string, { survey: Survey | undefined; until: number }>();

export async function getSurveyCached(id: string): Promise<Survey | undefined> {
  const hit = cache.get(id);
  if (hit && hit.until > Date.now()) return hit.survey;
  const survey = await getSurvey(id, false);
  if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
  cache.set(id, { survey, until: Date.now() + ttlMs });
  return survey;
}

export function clearSurveyCache(): void {
  cache.clear();
}
