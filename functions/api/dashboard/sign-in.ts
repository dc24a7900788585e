/**
 * Signing in and out. The admin key is posted once, from a same-origin form, at most a few times per
 * address in a quarter of an hour; it becomes a server-side session whose random id is the cookie.
 */
import { checkAdminKey } from '../../../shared/auth/admin-keys.ts';
import { createSession, endSession, readSession, sessionCookie } from '../../../shared/auth/sessions.ts';
import { renderSignInPage, type SignInNotice } from '../../../shared/dashboard/sign-in-page.ts';
import { AppError } from '../../../shared/errors.ts';
import { checkSameOrigin, cookieValue, queryParam } from '../../../shared/http.ts';
import { sha256Hex } from '../../../shared/ids.ts';
import { takeRateLimit } from '../../../shared/rate-limit.ts';
import {
  clearedSessionCookie,
  type DashboardAction,
  htmlResult,
  redirect,
  safeNext,
  sessionCookieHeader,
} from './edge.ts';

/** Sign-in attempts per address per 15 minutes: plenty for people, nothing for a guesser. */
export const signInAttemptsPerWindow = 20;
const signInWindowSeconds = 15 * 60;

const notices: readonly SignInNotice[] = ['signedOut', 'expired'];

export const signInRoutes: Record<string, DashboardAction> = {
  'GET /admin/sign-in': async (req) => {
    const next = safeNext(queryParam(req.event, 'next'));
    if (await readSession(cookieValue(req.event, sessionCookie))) return redirect(next);
    const asked = queryParam(req.event, 'notice') as SignInNotice | undefined;
    const notice = asked && notices.includes(asked) ? asked : undefined;
    return htmlResult(req, 200, renderSignInPage(req.view, { next, ...(notice && { notice }) }));
  },

  'POST /admin/sign-in': async (req) => {
    checkSameOrigin(req.event);
    await takeRateLimit({
      scope: 'sign-in',
      subject: req.event.requestContext?.http?.sourceIp ?? 'unknown',
      limit: signInAttemptsPerWindow,
      windowSeconds: signInWindowSeconds,
      message: 'too many sign-in attempts from this address; wait a few minutes',
    });
    const next = safeNext(req.fields.get('next'));
    const key = (req.fields.get('key') ?? '').trim();
    let caller: Awaited<ReturnType<typeof checkAdminKey>>;
    try {
      caller = await checkAdminKey(key || undefined);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'unauthorized' || err.code === 'forbidden')) {
        return htmlResult(req, 401, renderSignInPage(req.view, { next, notice: 'wrongKey' }));
      }
      throw err;
    }
    const { cookieValue: value } = await createSession(caller, sha256Hex(key));
    return redirect(next, [sessionCookieHeader(req.event, value)]);
  },

  'POST /admin/sign-out': async (req) => {
    await endSession(cookieValue(req.event, sessionCookie));
    return redirect('/admin/sign-in?notice=signedOut', [clearedSessionCookie(req.event)]);
  },
};
