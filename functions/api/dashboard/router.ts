/**
 * The dashboard's requests: the visitor's language and a fresh nonce, then the session (every page
 * but sign-in needs one; without it, the sign-in page), the form's CSRF token on every POST, the
 * action, and any error as a page.
 */
import { csrfMatches, readSession, sessionCookie } from '../../../shared/auth/sessions.ts';
import { viewFor } from '../../../shared/dashboard/layout.ts';
import { AppError } from '../../../shared/errors.ts';
import {
  checkSameOrigin,
  cookieValue,
  formFields,
  type HttpEvent,
  type HttpResult,
  header,
} from '../../../shared/http.ts';
import { localeFromAcceptLanguage } from '../../../shared/locales.ts';
import { newNonce } from '../../../shared/pages/headers.ts';
import { routes } from '../../../shared/routes.ts';
import { contactPageRoutes } from './contacts.ts';
import { type DashboardAction, type DashboardRequest, errorResult, toSignIn } from './edge.ts';
import { followUpPageRoutes } from './followups.ts';
import { signInRoutes } from './sign-in.ts';
import { surveyPageRoutes } from './surveys.ts';

const actions: Record<string, DashboardAction> = {
  ...signInRoutes,
  ...surveyPageRoutes,
  ...contactPageRoutes,
  ...followUpPageRoutes,
};

const publicKeys = new Set(
  routes
    .filter((r) => r.path.startsWith('/admin') && r.auth === 'public')
    .map((r) => `${r.method} ${r.path}`),
);

export const isDashboardRoute = (routeKey: string): boolean => / \/admin(\/|$)/.test(routeKey);

export async function dashboard(event: HttpEvent): Promise<HttpResult> {
  const locale = localeFromAcceptLanguage(header(event, 'accept-language')) ?? 'en';
  const req: DashboardRequest = { event, view: viewFor(locale, newNonce()), fields: new URLSearchParams() };
  try {
    const action = actions[event.routeKey];
    if (!action) throw new AppError('not_found', `no page ${event.routeKey}`);
    const isPost = event.routeKey.startsWith('POST ');
    if (!publicKeys.has(event.routeKey)) {
      const presented = cookieValue(event, sessionCookie);
      const session = await readSession(presented);
      if (!session) return toSignIn(event, presented !== undefined && presented !== '');
      req.session = session;
      req.view = viewFor(locale, req.view.nonce, session.csrf);
      if (isPost) {
        checkSameOrigin(event, { refuseNullOrigin: true });
        req.fields = formFields(event);
        if (!csrfMatches(session, req.fields.get('csrf'))) {
          throw new AppError('forbidden', 'the form carried no valid CSRF token; reload the page');
        }
      }
    }
    if (isPost && !req.session) req.fields = formFields(event);
    return await action(req);
  } catch (err) {
    return errorResult(req, err);
  }
}

/** The route keys the dashboard serves, for the test that walks the route table. */
export const dashboardRouteKeys = (): string[] => Object.keys(actions);
