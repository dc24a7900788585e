/** Admin routes for scores and responses. */
import { csvDownload, json, pathParam, queryParam } from '../../shared/http.ts';
import { listResponses, responsesCsv } from '../../shared/response/list.ts';
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
    if (queryParam(event, 'format') === 'csv') {
      return csvDownload(`${survey.id}-responses.csv`, await responsesCsv(survey));
    }
    return json(200, await listResponses(survey, queryParam(event, 'cursor')));
  },
};
