import { createHash } from 'node:crypto';
/** The dashboard's survey pages and forms: the overview, a survey's page, editing, and its actions. */

import { listFollowUps } from '../../../shared/alert/followups.ts';
import { now, nowIso, nowMs } from '../../../shared/clock.ts';
import { getContactNames } from '../../../shared/contact/store.ts';
import { renderConfirmPage } from '../../../shared/dashboard/confirm-page.ts';
import { renderOverviewPage } from '../../../shared/dashboard/overview-page.ts';
import { editPatchOf } from '../../../shared/dashboard/survey-edit-form.ts';
import { editValuesOf, renderSurveyEditPage } from '../../../shared/dashboard/survey-edit-page.ts';
import { renderSurveyPage, type SurveyNotice } from '../../../shared/dashboard/survey-page.ts';
import { AppError, badRequest, conflict } from '../../../shared/errors.ts';
import { csvDownload, parseInput, pathParam, queryParam } from '../../../shared/http.ts';
import { fill } from '../../../shared/i18n/format.ts';
import { base32 } from '../../../shared/ids.ts';
import { isOnceKey, newOnceKey } from '../../../shared/once.ts';
import { summarize } from '../../../shared/report/overview.ts';
import {
  defaultTrendUnit,
  readSurveyReport,
  type SurveyReport,
  type TrendUnit,
  trendByPeriod,
  trendByWave,
} from '../../../shared/report/survey-report.ts';
import { responsesCsvPart } from '../../../shared/response/export.ts';
import { type FeedFilter, readFeed } from '../../../shared/response/feed.ts';
import { nextCadenceFiring } from '../../../shared/schedule/cadence.ts';
import { benchmarkOf } from '../../../shared/score/benchmark.ts';
import { type Segment, segmentsOf } from '../../../shared/scoring.ts';
import { mapConcurrent } from '../../../shared/send/concurrency.ts';
import { patchSurvey, publishSurvey, unpublishSurvey } from '../../../shared/survey/lifecycle.ts';
import { patchSurveyInput, type Survey } from '../../../shared/survey/schema.ts';
import { lastEditKey, listSurveys, requireSurvey } from '../../../shared/survey/store.ts';
import { startWaveNow } from '../../../shared/wave/start.ts';
import { type DashboardAction, type DashboardRequest, htmlResult, intParam, redirect } from './edge.ts';

const surveyPath = (id: string) => `/admin/surveys/${encodeURIComponent(id)}`;

/** The wave a confirmation form starts: derived from its one-time key, the same for every post of it. */
function waveIdOf(once: string | null): string {
  if (!isOnceKey(once)) throw badRequest('the form has no valid one-time key; reload the page');
  return `w_${base32(createHash('sha256').update(`dashboard-wave:${once}`).digest()).slice(0, 16)}`;
}
const notices: readonly SurveyNotice[] = ['published', 'unpublished', 'wave', 'saved'];

/** The feed's filter from the query; values that cannot be this survey's are left out. */
function feedFilterOf(req: DashboardRequest, survey: Survey): FeedFilter {
  const q = (name: string) => queryParam(req.event, name);
  const segment = q('segment') as Segment | undefined;
  const wave = q('wave');
  const minScore = intParam(q('min'), survey.scale.min, survey.scale.max);
  const maxScore = intParam(q('max'), survey.scale.min, survey.scale.max);
  // At most 100 characters, cut between characters (never inside a surrogate pair).
  const text = q('q') === undefined ? undefined : [...(q('q') as string).trim()].slice(0, 100).join('');
  return {
    ...(segment && segmentsOf(survey.kind).includes(segment) && { segment }),
    ...(wave && /^w_[a-z2-7]{16}$/.test(wave) && { waveId: wave }),
    ...(minScore !== undefined && { minScore }),
    ...(maxScore !== undefined && { maxScore }),
    ...(text && { text }),
  };
}

function trendUnitOf(req: DashboardRequest, report: SurveyReport): TrendUnit {
  const asked = queryParam(req.event, 'trend');
  return asked === 'wave' || asked === 'week' || asked === 'month' ? asked : defaultTrendUnit(report);
}

async function surveyPage(req: DashboardRequest): Promise<string> {
  const survey = await requireSurvey(pathParam(req.event, 'id'));
  const filter = feedFilterOf(req, survey);
  const cursor = queryParam(req.event, 'cursor');
  // The figures and the feed's page are independent reads: side by side.
  const [report, feed] = await Promise.all([readSurveyReport(survey), readFeed(survey, filter, cursor)]);
  const contactIds = survey.anonymous ? [] : feed.entries.flatMap((e) => (e.contactId ? [e.contactId] : []));
  const contacts = contactIds.length ? await getContactNames(contactIds) : new Map();
  const trendUnit = trendUnitOf(req, report);
  const trend = trendUnit === 'wave' ? trendByWave(report) : trendByPeriod(report, trendUnit);
  const funnel = queryParam(req.event, 'funnel');
  const done = queryParam(req.event, 'done') as SurveyNotice | undefined;
  const nextWave = nextCadenceFiring(survey, now());
  return renderSurveyPage(req.view, {
    report,
    benchmark: benchmarkOf(survey),
    trendUnit,
    trend,
    feed,
    filter,
    ...(cursor && { cursor }),
    contacts,
    ...(funnel && report.waves.some((w) => w.wave.id === funnel) && { funnel }),
    ...(nextWave && { nextWave }),
    ...(done && notices.includes(done) && { notice: done }),
  });
}

/** Saves the edit form through the API's own schema; a problem shows the form again as posted. */
async function saveEdit(req: DashboardRequest, survey: Survey) {
  const values = Object.fromEntries(req.fields.entries());
  // A form shown again with a problem gets a fresh key: the refused post took none.
  const again = (status: number, problem: string) =>
    htmlResult(req, status, renderSurveyEditPage(req.view, { survey, values, problem, once: newOnceKey() }));
  const { patch, problem } = editPatchOf(survey, req.fields);
  if (problem) return again(400, fill(req.view.m.edit.invalid, { problems: problem }));
  let input: ReturnType<typeof parseInput<typeof patchSurveyInput>>;
  try {
    input = parseInput(patchSurveyInput, patch);
  } catch (err) {
    if (err instanceof AppError) return again(400, fill(req.view.m.edit.invalid, { problems: err.message }));
    throw err;
  }
  // The form's key is saved with the edit, in the same write: a second post of a form that was saved
  // (a double click, a retry after a lost answer) finds the survey changed by its own key.
  const once = req.fields.get('once');
  const editKey = isOnceKey(once) ? once : undefined;
  try {
    await patchSurvey(survey.id, input, req.fields.get('updatedAt') ?? '', editKey);
  } catch (err) {
    if (err instanceof AppError && err.code === 'conflict') {
      if (editKey && (await lastEditKey(survey.id)) === editKey) {
        return redirect(`${surveyPath(survey.id)}?done=saved`);
      }
      return again(409, req.view.m.edit.stale);
    }
    if (err instanceof AppError && err.code === 'bad_request') {
      return again(400, fill(req.view.m.edit.invalid, { problems: err.message }));
    }
    throw err;
  }
  return redirect(`${surveyPath(survey.id)}?done=saved`);
}

export const surveyPageRoutes: Record<string, DashboardAction> = {
  'GET /admin': async (req) => {
    // The open follow-ups' first page (one query) beside the surveys and their reports.
    const [surveys, open] = await Promise.all([listSurveys(), listFollowUps({ status: 'open', limit: 50 })]);
    const today = nowIso().slice(0, 10);
    const rows = await mapConcurrent(surveys, 8, async (survey) => {
      const report = await readSurveyReport(survey);
      const nextWave = nextCadenceFiring(survey, now());
      return { report, summary: summarize(report, today), ...(nextWave && { nextWave }) };
    });
    // Newest first, as the team made them.
    rows.reverse();
    const followUps = { followUps: open.followUps, more: open.cursor !== undefined, nowMs: nowMs() };
    return htmlResult(req, 200, renderOverviewPage(req.view, rows, followUps));
  },

  'GET /admin/surveys/{id}': async (req) => htmlResult(req, 200, await surveyPage(req)),

  'GET /admin/surveys/{id}/edit': async (req) => {
    const survey = await requireSurvey(pathParam(req.event, 'id'));
    return htmlResult(
      req,
      200,
      renderSurveyEditPage(req.view, { survey, values: editValuesOf(survey), once: newOnceKey() }),
    );
  },

  'POST /admin/surveys/{id}/edit': async (req) =>
    saveEdit(req, await requireSurvey(pathParam(req.event, 'id'))),

  'POST /admin/surveys/{id}/publish': async (req) => {
    const survey = await publishSurvey(pathParam(req.event, 'id'));
    return redirect(`${surveyPath(survey.id)}?done=published`);
  },

  'POST /admin/surveys/{id}/unpublish': async (req) => {
    const survey = await unpublishSurvey(pathParam(req.event, 'id'));
    return redirect(`${surveyPath(survey.id)}?done=unpublished`);
  },

  'GET /admin/surveys/{id}/waves/new': async (req) => {
    const survey = await requireSurvey(pathParam(req.event, 'id'));
    if (survey.state !== 'published')
      throw conflict(`survey ${survey.id} is ${survey.state}; publish it first`);
    const { m } = req.view;
    return htmlResult(
      req,
      200,
      renderConfirmPage(req.view, {
        title: fill(m.waveConfirm.title, { name: survey.name }),
        text: m.waveConfirm.text,
        action: `${surveyPath(survey.id)}/waves`,
        confirm: m.waveConfirm.confirm,
        cancelHref: surveyPath(survey.id),
        cancel: m.waveConfirm.cancel,
        current: 'surveys',
        once: newOnceKey(),
      }),
    );
  },

  'POST /admin/surveys/{id}/waves': async (req) => {
    const id = pathParam(req.event, 'id');
    // One confirmation, one wave: the wave's id comes from the form's one-time key, so a second post
    // of the same form (a double click, a retry) finds that wave and starts no other.
    await startWaveNow(id, waveIdOf(req.fields.get('once')));
    return redirect(`${surveyPath(id)}?done=wave`);
  },

  'GET /admin/surveys/{id}/responses.csv': async (req) => {
    const survey = await requireSurvey(pathParam(req.event, 'id'));
    // One download is one answer of at most 6 MB: a survey whose answers need more parts is
    // exported by the command-line tool, which follows the API's parts into one file.
    const part = await responsesCsvPart(survey, undefined);
    if (part.cursor) {
      throw new AppError(
        'too_large',
        `the answers are more than one download holds (${part.rows} fit in one); export them all with: npx npswave responses export ${survey.id} > responses.csv`,
      );
    }
    return csvDownload(`${survey.id}-responses.csv`, part.csv);
  },
};
