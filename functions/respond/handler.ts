/**
 * The public pages: the response page (a GET shows, only a POST records), the honeypot link, and
 * unsubscribe (a GET shows a button, a POST unsubscribes — RFC 8058 one-click).
 */
import { nowIso } from '../../shared/clock.ts';
import { AppError, badRequest, gone, notFound } from '../../shared/errors.ts';
import {
  checkSameOrigin,
  cookieValue,
  formFields,
  type HttpEvent,
  type HttpResult,
} from '../../shared/http.ts';
import { surveyTexts } from '../../shared/i18n/survey-texts.ts';
import { isWellFormedToken, surveyIdOfToken } from '../../shared/ids.ts';
import type { Invitation } from '../../shared/invitation/schema.ts';
import { getInvitation, getInvitationWithSurvey } from '../../shared/invitation/store.ts';
import { httpHandler } from '../../shared/lambda/handler.ts';
import type { Locale } from '../../shared/locales.ts';
import { newNonce } from '../../shared/pages/headers.ts';
import { renderResponsePage } from '../../shared/pages/response-page.ts';
import { renderThankYouPage } from '../../shared/pages/thank-you-page.ts';
import { renderUnsubscribedPage, renderUnsubscribePage } from '../../shared/pages/unsubscribe-page.ts';
import {
  checkLinkOpen,
  limitLinkRate,
  linkClosedError,
  linkCookieMaxAge,
  linkInvitationOf,
  linkWaveId,
  newLinkInvitation,
} from '../../shared/response/link.ts';
import { maxCommentLength, recordResponseOnce } from '../../shared/response/record.ts';
import { markAutomated, unsubscribeByInvitation } from '../../shared/response/unsubscribe.ts';
import { getSurveyCached } from '../../shared/survey/cache.ts';
import type { Survey } from '../../shared/survey/schema.ts';
import { getSurvey, surveyFromItem } from '../../shared/survey/store.ts';
import { unpublishDeadline } from '../../shared/wave/unpublish.ts';
import { errorPage, hsts, htmlPage, localeFor } from './pages.ts';

interface Loaded {
  invitation: Invitation;
  survey: Survey;
  locale: Locale;
}

/** What an error page needs to know: the visitor's language, refined once the invitation is read. */
interface PageContext {
  locale: Locale;
}

async function load(event: HttpEvent, ctx: PageContext): Promise<Loaded> {
  const token = event.pathParameters?.token ?? '';
  if (!isWellFormedToken(token)) throw notFound('unknown link');
  const found = await getInvitationWithSurvey(token);
  if (!found.invitation || !found.survey) throw notFound('unknown link');
  const survey = surveyFromItem(found.survey);
  ctx.locale = localeFor(event, found.invitation.locale, survey.defaultLocale);
  return { invitation: found.invitation, survey, locale: ctx.locale };
}

/** When this invitation stops taking answers: its own close, or 14 days after an unpublish. */
function closesAt(inv: Invitation, survey: Survey): string {
  const deadline = unpublishDeadline(survey);
  return deadline && deadline < inv.closesAt ? deadline : inv.closesAt;
}

function checkAnswerable(inv: Invitation, survey: Survey): void {
  // An answer given through the survey's link follows the link: closed with it.
  if (inv.waveId === linkWaveId(survey.id)) checkLinkOpen(survey);
  if (inv.status === 'expired' || inv.status === 'bounced' || closesAt(inv, survey) <= nowIso()) {
    throw gone('this survey has closed');
  }
  if (!['sending', 'sent', 'responded'].includes(inv.status)) throw notFound('unknown link');
}

/** `?score=N` only pre-selects; a value off the scale is ignored rather than shown. */
function chosenScore(event: HttpEvent, inv: Pick<Invitation, 'scale'>): number | undefined {
  const raw = event.queryStringParameters?.score;
  if (raw === undefined || !/^\d{1,2}$/.test(raw)) return undefined;
  const score = Number(raw);
  return score >= inv.scale.min && score <= inv.scale.max ? score : undefined;
}

function parseAnswer(
  fields: URLSearchParams,
  inv: Pick<Invitation, 'scale'>,
): { score: number; comment?: string } {
  const rawScore = fields.get('score');
  if (rawScore === null || rawScore.trim() === '') throw badRequest('choose a score');
  if (!/^\d{1,2}$/.test(rawScore.trim())) throw badRequest('the score must be a whole number');
  const score = Number(rawScore.trim());
  if (score < inv.scale.min || score > inv.scale.max) {
    throw badRequest(`the score must be between ${inv.scale.min} and ${inv.scale.max}`);
  }
  const comment = (fields.get('comment') ?? '').replace(/\r\n/g, '\n').trim();
  if ([...comment].length > maxCommentLength) {
    throw new AppError('too_large', `the comment may be at most ${maxCommentLength} characters`);
  }
  return { score, ...(comment !== '' && { comment }) };
}

async function showResponsePage(event: HttpEvent, ctx: PageContext): Promise<HttpResult> {
  const { invitation, survey, locale } = await load(event, ctx);
  checkAnswerable(invitation, survey);
  const nonce = newNonce();
  const chosen = chosenScore(event, invitation);
  const page = renderResponsePage({
    survey,
    locale,
    action: `/r/${invitation.token}`,
    nonce,
    closesAt: closesAt(invitation, survey),
    ...(chosen !== undefined && { chosenScore: chosen }),
    ...(invitation.score !== undefined && {
      current: { score: invitation.score, ...(invitation.comment && { comment: invitation.comment }) },
    }),
  });
  return htmlPage(200, page, nonce);
}

/**
 * Records an answer with one DynamoDB write: the survey comes from the container's short cache and
 * the write's condition holds every rule (open, sent, on the scale); a refusal is explained from the
 * old item DynamoDB returns.
 */
async function submitResponse(event: HttpEvent, ctx: PageContext): Promise<HttpResult> {
  checkSameOrigin(event);
  const token = event.pathParameters?.token ?? '';
  if (!isWellFormedToken(token)) throw notFound('unknown link');
  const survey = await getSurveyCached(surveyIdOfToken(token));
  if (!survey) throw notFound('unknown link');
  ctx.locale = localeFor(event, undefined, survey.defaultLocale);
  try {
    const deadline = unpublishDeadline(survey);
    if (deadline && deadline <= nowIso()) throw gone('this survey has closed');
    const answer = parseAnswer(formFields(event), survey);
    // A link answer's token (it lives in the browser's cookie) takes no change once the link closes.
    const linkClosed = linkClosedError(survey);
    const saved = await recordResponseOnce(token, answer, {
      anonymous: survey.anonymous,
      ...(linkClosed && { closedWave: { id: linkWaveId(survey.id), error: linkClosed } }),
    });
    const locale = localeFor(event, saved.locale, survey.defaultLocale);
    const nonce = newNonce();
    const page = renderThankYouPage({
      survey,
      locale,
      score: saved.score ?? answer.score,
      editUrl: `/r/${token}`,
      closesAt: closesAt(saved, survey),
      nonce,
    });
    return htmlPage(200, page, nonce);
  } catch (err) {
    // Only on the way out with an error: one read to show the page in the recipient's language.
    const invitation = await getInvitation(token).catch(() => undefined);
    if (invitation?.locale) ctx.locale = localeFor(event, invitation.locale, survey.defaultLocale);
    throw err;
  }
}

async function honeypot(event: HttpEvent, _ctx: PageContext): Promise<HttpResult> {
  const token = event.pathParameters?.token ?? '';
  if (isWellFormedToken(token)) await markAutomated(token);
  // Whatever was fetched, the answer is the same small page: a scanner learns nothing from it.
  return { statusCode: 204, headers: { 'cache-control': 'no-store', 'x-robots-tag': 'noindex' } };
}

async function showUnsubscribe(event: HttpEvent, ctx: PageContext): Promise<HttpResult> {
  const { invitation, survey, locale } = await load(event, ctx);
  const nonce = newNonce();
  const page = renderUnsubscribePage({
    locale,
    action: `/u/${invitation.token}`,
    companyName: survey.companyName,
  });
  return htmlPage(200, page, nonce);
}

async function unsubscribe(event: HttpEvent, ctx: PageContext): Promise<HttpResult> {
  // RFC 8058: mail clients POST "List-Unsubscribe=One-Click" from no page at all, so no Origin rule.
  const { invitation, survey, locale } = await load(event, ctx);
  await unsubscribeByInvitation(invitation);
  const nonce = newNonce();
  return htmlPage(
    200,
    renderUnsubscribedPage({ locale, companyName: surveyTexts(survey, locale).company }),
    nonce,
  );
}

async function loadLinkSurvey(
  event: HttpEvent,
  ctx: PageContext,
): Promise<{ survey: Survey; locale: Locale }> {
  const id = event.pathParameters?.surveyId ?? '';
  if (!/^s_[a-z2-7]{16}$/.test(id)) throw notFound('unknown link');
  const survey = await getSurvey(id, false);
  if (!survey) throw notFound('unknown link');
  checkLinkOpen(survey);
  ctx.locale = localeFor(event, undefined, survey.defaultLocale);
  return { survey, locale: ctx.locale };
}

const linkCookie = (surveyId: string) => `npsw_${surveyId}`;
async function showLinkSurvey(event: HttpEvent, ctx: PageContext): Promise<HttpResult> {
  const { survey, locale } = await loadLinkSurvey(event, ctx);
  const existing = await linkInvitationOf(survey, cookieValue(event, linkCookie(survey.id)));
  const nonce = newNonce();
  const chosen = chosenScore(event, survey);
  const page = renderResponsePage({
    survey,
    locale,
    action: `/l/${survey.id}`,
    nonce,
    ...(chosen !== undefined && { chosenScore: chosen }),
    ...(existing?.score !== undefined && {
      current: { score: existing.score, ...(existing.comment && { comment: existing.comment }) },
      closesAt: existing.closesAt,
    }),
  });
  return htmlPage(200, page, nonce);
}

async function submitLinkSurvey(event: HttpEvent, ctx: PageContext): Promise<HttpResult> {
  checkSameOrigin(event);
  const { survey, locale } = await loadLinkSurvey(event, ctx);
  const answer = parseAnswer(formFields(event), survey);
  let invitation = await linkInvitationOf(survey, cookieValue(event, linkCookie(survey.id)));
  if (!invitation) {
    await limitLinkRate(survey.id, event.requestContext?.http?.sourceIp ?? 'unknown');
    invitation = await newLinkInvitation(survey);
  }
  const saved = await recordResponseOnce(invitation.token, answer, { anonymous: survey.anonymous });
  const nonce = newNonce();
  const page = renderThankYouPage({
    survey,
    locale,
    score: saved.score ?? answer.score,
    editUrl: `/l/${survey.id}`,
    nonce,
  });
  const result = htmlPage(200, page, nonce);
  const secure = hsts() ? '; Secure' : '';
  result.cookies = [
    `${linkCookie(survey.id)}=${invitation.token}; Path=/l/${survey.id}; Max-Age=${linkCookieMaxAge(saved)}; HttpOnly; SameSite=Lax${secure}`,
  ];
  return result;
}

const actions: Record<string, (event: HttpEvent, ctx: PageContext) => Promise<HttpResult>> = {
  'GET /l/{surveyId}': showLinkSurvey,
  'POST /l/{surveyId}': submitLinkSurvey,
  'GET /r/{token}': showResponsePage,
  'POST /r/{token}': submitResponse,
  'GET /h/{token}': honeypot,
  'GET /u/{token}': showUnsubscribe,
  'POST /u/{token}': unsubscribe,
};

async function route(event: HttpEvent, context: Partial<PageContext>): Promise<HttpResult> {
  // Until the invitation is read, the browser's language; after, the recipient's. It is noted on
  // the invocation's context, where the error mapper finds it.
  const ctx = Object.assign(context, { locale: localeFor(event, undefined, 'en') });
  const action = actions[event.routeKey];
  if (!action) throw new AppError('not_found', 'unknown page');
  return await action(event, ctx);
}

export const handler = httpHandler<PageContext>(route, (err, event, context) =>
  errorPage(err, context.locale ?? localeFor(event, undefined, 'en')),
);

export const servedRouteKeys = (): string[] => Object.keys(actions);
