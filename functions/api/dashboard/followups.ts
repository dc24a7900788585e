/**
 * The dashboard's follow-ups: the list (open or closed), an answer's page with its follow-up, and
 * the follow-up's form (close with a note, reopen, reassign, change the due time), which answers
 * 303 back to the answer, or the answer's page again with the problem in words.
 */
import {
  followUpIdFor,
  getFollowUp,
  listFollowUps,
  updateFollowUp,
} from '../../../shared/alert/followups.ts';
import { answerOfRef, isResponseRef } from '../../../shared/alert/response-ref.ts';
import type { FollowUp, FollowUpStatus } from '../../../shared/alert/schema.ts';
import { nowMs } from '../../../shared/clock.ts';
import { getContactNames } from '../../../shared/contact/store.ts';
import { responsePath } from '../../../shared/dashboard/followup-cells.ts';
import { renderFollowUpsPage } from '../../../shared/dashboard/followups-page.ts';
import {
  type AnswerWave,
  type ResponseNotice,
  type ResponsePageInput,
  renderResponsePage,
  responseNotices,
} from '../../../shared/dashboard/response-page.ts';
import { AppError, badRequest, notFound } from '../../../shared/errors.ts';
import { pathParam, queryParam } from '../../../shared/http.ts';
import { fill } from '../../../shared/i18n/format.ts';
import { isContactId } from '../../../shared/ids.ts';
import type { Invitation } from '../../../shared/invitation/schema.ts';
import { requireSurvey } from '../../../shared/survey/store.ts';
import { rollingWaveId } from '../../../shared/wave/rolling.ts';
import { getWave } from '../../../shared/wave/store.ts';
import { type DashboardAction, type DashboardRequest, htmlResult, redirect } from './edge.ts';

/** The wave an answer came in, without a read for the survey's link and triggered waves. */
async function waveOf(answer: Invitation): Promise<AnswerWave | undefined> {
  if (answer.waveId === rollingWaveId('link', answer.surveyId)) return { rolling: 'link' };
  if (answer.waveId === rollingWaveId('triggered', answer.surveyId)) return { rolling: 'triggered' };
  const wave = await getWave(answer.waveId);
  return wave ? { startedAt: wave.startedAt } : undefined;
}

type ResponseExtras = Pick<ResponsePageInput, 'notice' | 'problem' | 'values'>;

/**
 * An answer's page: the reference's answer, then its survey, wave, contact and follow-up side by
 * side. The follow-up is the person's for this survey (or this answer's when it names nobody).
 */
async function responsePage(req: DashboardRequest, ref: string, status: number, extras: ResponseExtras = {}) {
  const answer = isResponseRef(ref) ? await answerOfRef(ref) : undefined;
  if (!answer) throw notFound(`no answer ${ref}`);
  const contactId = !answer.anonymous && isContactId(answer.contactId) ? answer.contactId : undefined;
  const [survey, wave, contacts, followUp] = await Promise.all([
    requireSurvey(answer.surveyId),
    waveOf(answer),
    contactId ? getContactNames([contactId]) : undefined,
    getFollowUp(followUpIdFor(answer.surveyId, answer.contactId, answer.token)),
  ]);
  const contact = contactId ? contacts?.get(contactId) : undefined;
  return htmlResult(
    req,
    status,
    renderResponsePage(req.view, {
      ref,
      answer,
      survey,
      ...(wave && { wave }),
      ...(contact && contactId && { contact: { id: contactId, ...contact } }),
      ...(followUp && { followUp }),
      nowMs: nowMs(),
      ...extras,
    }),
  );
}

/** A datetime-local value is a UTC time (the field says so); anything else goes to the store as is. */
const dueAtOf = (value: string): string =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value}Z` : value;

/** Applies one of the follow-up's forms; answers where to go back to, with its notice. */
async function applyForm(req: DashboardRequest, current: FollowUp): Promise<ResponseNotice> {
  const field = (name: string) => req.fields.get(name) ?? undefined;
  switch (field('action')) {
    case 'close':
      // The store refuses a close without a note (badRequest): the server's check, whatever the browser did.
      await updateFollowUp(current.id, { status: 'closed', note: field('note') ?? '' });
      return 'closed';
    case 'reopen': {
      const note = field('note')?.trim();
      await updateFollowUp(current.id, { status: 'open', ...(note && { note }) });
      return 'reopened';
    }
    case 'update': {
      const assignee = field('assignee')?.trim() ?? '';
      const due = field('dueAt')?.trim() ?? '';
      await updateFollowUp(current.id, {
        assignee: assignee === '' ? null : assignee,
        ...(due && { dueAt: dueAtOf(due) }),
      });
      return 'updated';
    }
    default:
      throw badRequest('the form named no action; reload the page');
  }
}

export const followUpPageRoutes: Record<string, DashboardAction> = {
  'GET /admin/followups': async (req) => {
    const status: FollowUpStatus = queryParam(req.event, 'status') === 'closed' ? 'closed' : 'open';
    const surveyId = queryParam(req.event, 'survey') || undefined;
    const cursor = queryParam(req.event, 'cursor') || undefined;
    const page = await listFollowUps({
      status,
      limit: 50,
      ...(surveyId && { surveyId }),
      ...(cursor && { cursor }),
    });
    return htmlResult(
      req,
      200,
      renderFollowUpsPage(req.view, {
        status,
        followUps: page.followUps,
        ...(surveyId && { surveyId }),
        ...(cursor && { cursor }),
        ...(page.cursor && { next: page.cursor }),
        nowMs: nowMs(),
      }),
    );
  },

  'GET /admin/responses/{ref}': async (req) => {
    const done = queryParam(req.event, 'done') as ResponseNotice | undefined;
    return responsePage(req, pathParam(req.event, 'ref'), 200, {
      ...(done && responseNotices.includes(done) && { notice: done }),
    });
  },

  'POST /admin/followups/{id}': async (req) => {
    const current = await getFollowUp(pathParam(req.event, 'id'));
    if (!current) throw notFound(`no follow-up ${pathParam(req.event, 'id')}`);
    // Back to the answer the form was on; the follow-up's own answer if the form named none.
    const posted = req.fields.get('ref') ?? '';
    const ref = isResponseRef(posted) ? posted : current.invitationId;
    const { m } = req.view;
    try {
      const notice = await applyForm(req, current);
      return redirect(`${responsePath(ref)}?done=${notice}#followup`);
    } catch (err) {
      if (!(err instanceof AppError) || (err.code !== 'bad_request' && err.code !== 'conflict')) throw err;
      const values = {
        assignee: req.fields.get('assignee') ?? undefined,
        due: req.fields.get('dueAt') ?? undefined,
      };
      const problem =
        err.code === 'conflict'
          ? m.response.stale
          : err.message.startsWith('note:')
            ? m.response.noteRequired
            : fill(m.response.invalid, { problems: err.message });
      return responsePage(req, ref, err.status, {
        problem,
        ...(req.fields.get('action') === 'update' && { values: pickDefined(values) }),
      });
    }
  },
};

const pickDefined = (values: { assignee: string | undefined; due: string | undefined }) => ({
  ...(values.assignee !== undefined && { assignee: values.assignee }),
  ...(values.due !== undefined && { due: values.due }),
});
