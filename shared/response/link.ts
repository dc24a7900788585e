/**
 * Link surveys: a shareable page (`/l/{surveyId}`) that anyone may answer once per browser. Each
 * browser's answer is an invitation of the survey's rolling "link" wave, found again through a
 * cookie holding its token, so the same scoring path counts it exactly once and edits replace it.
 */

import { nowIso, nowMs } from '../clock.ts';
import { type AppError, gone, notFound } from '../errors.ts';
import { isWellFormedToken, linkRespondentId, randomToken } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import { getInvitation, putInvitationOnce } from '../invitation/store.ts';
import { takeRateLimit } from '../rate-limit.ts';
import type { Survey } from '../survey/schema.ts';
import { ensureRollingWave, rollingWaveId } from '../wave/rolling.ts';

/** Link answers stay editable this long from the first answer (the cookie lives as long). */
export const linkAnswerDays = 365;
/** Answers per address per hour on one survey: enough for an office behind one NAT, too few for a script. */
export const linkRateLimitPerHour = 30;

export const linkWaveId = (surveyId: string): string => rollingWaveId('link', surveyId);

/**
 * Why a survey's link takes no answers now, or undefined when it does. An unpublished survey's link
 * has closed (410, like an expired invitation); a draft's or a disabled link is not there (404).
 * It holds for answers already given through the link too, wherever they are sent from.
 */
export function linkClosedError(survey: Pick<Survey, 'link' | 'state'>): AppError | undefined {
  if (survey.link.enabled && survey.state === 'published') return undefined;
  if (survey.link.enabled && survey.state === 'unpublished') return gone('this survey has closed');
  return notFound('this survey has no open link');
}

export function checkLinkOpen(survey: Pick<Survey, 'link' | 'state'>): void {
  const closed = linkClosedError(survey);
  if (closed) throw closed;
}

/** The browser's existing answer, if its cookie names one of this survey. */
export async function linkInvitationOf(
  survey: Survey,
  cookieToken: string | undefined,
): Promise<Invitation | undefined> {
  // Whatever the browser sends is checked before it becomes a key: an overlong or garbled value
  // is no answer of this survey (and must not reach DynamoDB, which refuses keys over 2 KB).
  if (!cookieToken || !isWellFormedToken(cookieToken) || !cookieToken.startsWith(`${survey.id}.`)) {
    return undefined;
  }
  const inv = await getInvitation(cookieToken);
  if (!inv || inv.waveId !== linkWaveId(survey.id)) return undefined;
  // An answer that can no longer be changed frees the browser to answer the open survey anew.
  return inv.closesAt > nowIso() ? inv : undefined;
}

/** Seconds the browser should keep the cookie: as long as the answer it names can be changed. */
export const linkCookieMaxAge = (inv: Pick<Invitation, 'closesAt'>): number =>
  Math.max(0, Math.floor((Date.parse(inv.closesAt) - nowMs()) / 1000));

/** A new link invitation for a browser that has none, ready to take an answer. */
export async function newLinkInvitation(survey: Survey): Promise<Invitation> {
  const wave = await ensureRollingWave('link', survey);
  const invitation: Invitation = {
    token: randomToken(survey.id),
    surveyId: survey.id,
    waveId: wave.id,
    contactId: linkRespondentId(),
    kind: survey.kind,
    scale: survey.scale,
    status: 'sent',
    createdAt: nowIso(),
    closesAt: new Date(nowMs() + linkAnswerDays * 86_400_000).toISOString(),
    ...(survey.anonymous && { anonymous: true }),
  };
  await putInvitationOnce(invitation);
  return invitation;
}

/** Counts one answer from an address in the current hour; 429 past the limit. */
export const limitLinkRate = (surveyId: string, address: string): Promise<void> =>
  takeRateLimit({
    scope: `link#${surveyId}`,
    subject: address,
    limit: linkRateLimitPerHour,
    windowSeconds: 3600,
    message: 'too many answers from this address; try again later',
  });
