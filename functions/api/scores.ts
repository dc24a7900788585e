/** Admin routes for scores and responses. */
import { csvDownload, json, pathParam, queryParam } from '../../shared/http.ts';
import { responsesCsvPart } from '../../shared/response/export.ts';
import { listResponses } from '../../shared/response/list.ts';
import { readScore } from '../../shared/score/read.ts';
import { requireSurvey } from '../../shared/survey/store.ts';
import type { AdminRoutes } from './router.ts';

const optional = <K extends string>(name: K, value: string | undefined) =>
  value === undefined ? {} : { [name]: value };

export const scoreRoutes: AdminRoutes = {
  'GET /api/surveys/{id}/score': async (event) => {
    const survey = await requireSurvey(pathParam(event, 'id'));
    const query = {
      ...optional('wave', queryParam(event, 'wave')),
      ...optional('from', queryParam(event, 'from')),
      ...optional('to', queryParam(event, 'to')),
      ...optional('by', queryParam(event, 'by')),
    };
    return json(200, await readScore(survey, query));
  },

  'GET /api/surveys/{id}/responses': async (event) => {
    const survey = await requireSurvey(pathParam(event, 'id'));
    const cursor = queryParam(event, 'cursor');
    if (queryParam(event, 'format') === 'csv') {
      // One part of the export per request (Lambda answers at most 6 MB); `Link: rel="next"`
      // names the following part, whose rows continue this one's (no header row again).
      const part = await responsesCsvPart(survey, cursor);
      const download = csvDownload(`${survey.id}-responses.csv`, part.csv);
      const next = part.cursor
        ? `/api/surveys/${encodeURIComponent(survey.id)}/responses?format=csv&cursor=${part.cursor}`
        : undefined;
      return {
        ...download,
        headers: {
          ...download.headers,
          'x-npswave-rows': String(part.rows),
          ...(next && { link: `<${next}>; rel="next"` }),
        },
      };
    }
    return json(200, await listResponses(survey, cursor));
  },
};
