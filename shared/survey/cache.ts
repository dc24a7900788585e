/**
 * Surveys as the answering path reads them: kept per container for a few seconds, so that recording
 * an answer is one DynamoDB write. A survey edit reaches thank-you pages within that time. The rules
 * that decide whether an answer counts are in the write's own condition; what this copy adds is
 * which wave is closed to answers: a link closed (unpublished or turned off) stops changes of link
 * answers through `/r/` within these 30 seconds (`/l/` reads the survey afresh and stops at once).
 */
import type { Survey } from './schema.ts';
import { getSurvey } from './store.ts';

const ttlMs = 30_000;
const maxEntries = 500;

/**
 * A cache of surveys for one purpose. On AWS each function has its own containers; locally every
 * function shares one process, so each reader keeps its own, or one function's reads would decide
 * what another sees (the alerts function's reads must not keep an old link open on `/r/`).
 */
export function surveyCache(): { get(id: string): Promise<Survey | undefined>; clear(): void } {
  const cache = new Map<string, { survey: Survey | undefined; until: number }>();
  return {
    async get(id: string): Promise<Survey | undefined> {
      const hit = cache.get(id);
      if (hit && hit.until > Date.now()) return hit.survey;
      const survey = await getSurvey(id, false);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(id, { survey, until: Date.now() + ttlMs });
      return survey;
    },
    clear: () => cache.clear(),
  };
}

/** The answering path's cache. */
const answering = surveyCache();

export const getSurveyCached = (id: string): Promise<Survey | undefined> => answering.get(id);

export function clearSurveyCache(): void {
  answering.clear();
}
