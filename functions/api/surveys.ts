/** Admin routes for surveys and their waves. */
import { newSecrets, publicSurvey } from '../../shared/alert/rules.ts';
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
  'POST /api/surveys': async (event) => {
    const survey = await createSurvey(parseInput(createSurveyInput, jsonBody(event)));
    return json(201, publicSurvey(survey, newSecrets(survey)));
  },

  'GET /api/surveys': async () => json(200, { surveys: (await listSurveys()).map((s) => publicSurvey(s)) }),

  'GET /api/surveys/{id}': async (event) =>
    json(200, publicSurvey(await requireSurvey(pathParam(event, 'id')))),

  'PATCH /api/surveys/{id}': async (event) => {
    const id = pathParam(event, 'id');
    const input = parseInput(patchSurveyInput, jsonBody(event));
    const before = await requireSurvey(id);
    const survey = await patchSurvey(id, input);
    return json(200, publicSurvey(survey, newSecrets(survey, before)));
  },

  'POST /api/surveys/{id}/publish': async (event) =>
    json(200, publicSurvey(await publishSurvey(pathParam(event, 'id')))),

  'POST /api/surveys/{id}/unpublish': async (event) =>
    json(200, publicSurvey(await unpublishSurvey(pathParam(event, 'id')))),

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
