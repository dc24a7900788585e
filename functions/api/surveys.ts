/** Admin routes for surveys and their waves. */
import { json, jsonBody, parseInput, pathParam } from '../../shared/http.ts';
import { createSurvey, patchSurvey, publishSurvey, unpublishSurvey } from '../../shared/survey/lifecycle.ts';
import { createSurveyInput, patchSurveyInput } from '../../shared/survey/schema.ts';
import { listSurveys, requireSurvey } from '../../shared/survey/store.ts';
import { publicWave } from '../../shared/wave/schema.ts';
import { startWaveNow } from '../../shared/wave/start.ts';
import { listWaves, requireWave } from '../../shared/wave/store.ts';
import type { AdminRoutes } from './router.ts';
import { waveView } from './wave-view.ts';

export const surveyRoutes: AdminRoutes = {
  'POST /api/surveys': async (event) =>
    json(201, await createSurvey(parseInput(createSurveyInput, jsonBody(event)))),

  'GET /api/surveys': async () => json(200, { surveys: await listSurveys() }),

  'GET /api/surveys/{id}': async (event) => json(200, await requireSurvey(pathParam(event, 'id'))),

  'PATCH /api/surveys/{id}': async (event) =>
    json(200, await patchSurvey(pathParam(event, 'id'), parseInput(patchSurveyInput, jsonBody(event)))),

  'POST /api/surveys/{id}/publish': async (event) => json(200, await publishSurvey(pathParam(event, 'id'))),

  'POST /api/surveys/{id}/unpublish': async (event) =>
    json(200, await unpublishSurvey(pathParam(event, 'id'))),

  'POST /api/surveys/{id}/waves': async (event) => {
    const wave = await startWaveNow(pathParam(event, 'id'));
    return json(202, { waveId: wave.id, wave: publicWave(wave) });
  },

  'GET /api/surveys/{id}/waves': async (event) => {
    const survey = await requireSurvey(pathParam(event, 'id'));
    const waves = await listWaves(survey.id);
    return json(200, { waves: await Promise.all(waves.map(waveView)) });
  },

  'GET /api/waves/{id}': async (event) =>
    json(200, await waveView(await requireWave(pathParam(event, 'id')))),
};
