/**
 * The admin API: authenticate → find the route's action → run it; errors become JSON in the
 * middleware (shared/lambda/).
 * Every /api route needs an admin key; the route table (shared/routes.ts) says which exist. The
 * dashboard's pages (/admin) are served here too, with sessions instead of keys (dashboard/).
 */
import { bearerToken, checkAdminKey } from '../../shared/auth/admin-keys.ts';
import { AppError } from '../../shared/errors.ts';
import { errorToJson, type HttpEvent, type HttpResult, header } from '../../shared/http.ts';
import { httpHandler } from '../../shared/lambda/handler.ts';
import { alertRoutes } from './alerts.ts';
import { contactRoutes } from './contacts.ts';
import { dashboard, dashboardRouteKeys, isDashboardRoute } from './dashboard/router.ts';
import { invitationRoutes } from './invitations.ts';
import { keyRoutes } from './keys.ts';
import type { AdminRoutes } from './router.ts';
import { scoreRoutes } from './scores.ts';
import { surveyRoutes } from './surveys.ts';

const actions: AdminRoutes = {
  ...contactRoutes,
  ...surveyRoutes,
  ...alertRoutes,
  ...invitationRoutes,
  ...scoreRoutes,
  ...keyRoutes,
};

async function route(event: HttpEvent): Promise<HttpResult> {
  if (isDashboardRoute(event.routeKey)) return dashboard(event);
  const caller = await checkAdminKey(bearerToken(header(event, 'authorization')));
  const action = actions[event.routeKey];
  if (!action) throw new AppError('not_found', `no route ${event.routeKey}`);
  return await action(event, caller);
}

// The dashboard answers its own errors as pages (they need its view); whatever else is thrown,
// even past the early stop, leaves as the JSON error of CONTRACT.md.
export const handler = httpHandler(route, errorToJson);

/** The route keys this function serves, for the test that walks the route table. */
export const servedRouteKeys = (): string[] => [...Object.keys(actions), ...dashboardRouteKeys()];
