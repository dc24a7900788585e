/**
 * The one route table. The CDK stack creates an HTTP API route per entry; the local gateway
 * matches requests against the same entries and hands the same handler an API Gateway v2 event.
 */
export type HttpFunction = 'api' | 'respond';
export type FunctionName =
  | HttpFunction
  | 'send'
  | 'remind'
  | 'expire'
  | 'score'
  | 'sesEvents'
  | 'alerts'
  | 'deliver'
  | 'digest';
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export interface Route {
  method: Method;
  /** API Gateway path template, e.g. /api/contacts/{id}. */
  path: string;
  fn: HttpFunction;
  /**
   * admin: the JSON API, needs an admin key (Bearer); session: a dashboard page or form, needs a
   * signed-in session (otherwise the sign-in page); public: anyone.
   */
  auth: 'admin' | 'session' | 'public';
}

const admin = (method: Method, path: string): Route => ({ method, path, fn: 'api', auth: 'admin' });
const page = (method: Method, path: string): Route => ({ method, path, fn: 'respond', auth: 'public' });
const dashboard = (method: Method, path: string): Route => ({ method, path, fn: 'api', auth: 'session' });
const signIn = (method: Method, path: string): Route => ({ method, path, fn: 'api', auth: 'public' });

export const routes: Route[] = [
  admin('POST', '/api/contacts'),
  admin('GET', '/api/contacts'),
  admin('POST', '/api/contacts/import'),
  admin('GET', '/api/contacts/{id}'),
  admin('DELETE', '/api/contacts/{id}'),
  admin('POST', '/api/surveys'),
  admin('GET', '/api/surveys'),
  admin('GET', '/api/surveys/{id}'),
  admin('PATCH', '/api/surveys/{id}'),
  admin('POST', '/api/surveys/{id}/publish'),
  admin('POST', '/api/surveys/{id}/unpublish'),
  admin('POST', '/api/surveys/{id}/waves'),
  admin('GET', '/api/surveys/{id}/waves'),
  admin('POST', '/api/surveys/{id}/invitations'),
  admin('GET', '/api/surveys/{id}/score'),
  admin('GET', '/api/surveys/{id}/responses'),
  admin('GET', '/api/waves/{id}'),
  admin('GET', '/api/admin-keys'),
  admin('POST', '/api/admin-keys'),
  admin('DELETE', '/api/admin-keys/{id}'),
  // Alerts: follow-ups, webhook deliveries, secrets (functions/api/alerts.ts).
  admin('GET', '/api/followups'),
  admin('GET', '/api/followups/{id}'),
  admin('PATCH', '/api/followups/{id}'),
  admin('GET', '/api/webhook-deliveries'),
  admin('GET', '/api/webhook-deliveries/{id}'),
  admin('POST', '/api/webhook-deliveries/{id}/redeliver'),
  admin('POST', '/api/surveys/{id}/webhooks/replay'),
  admin('POST', '/api/surveys/{id}/alerts/{ruleId}/rotate-secret'),
  page('GET', '/r/{token}'),
  page('POST', '/r/{token}'),
  page('GET', '/l/{surveyId}'),
  page('POST', '/l/{surveyId}'),
  /** The honeypot: a link in every email that no person sees; a fetch marks the clicks automated. */
  page('GET', '/h/{token}'),
  page('GET', '/u/{token}'),
  page('POST', '/u/{token}'),
  // The dashboard: HTML pages and forms served by the api function (shared/dashboard/).
  signIn('GET', '/admin/sign-in'),
  signIn('POST', '/admin/sign-in'),
  dashboard('POST', '/admin/sign-out'),
  dashboard('GET', '/admin'),
  dashboard('GET', '/admin/surveys/{id}'),
  dashboard('GET', '/admin/surveys/{id}/edit'),
  dashboard('POST', '/admin/surveys/{id}/edit'),
  dashboard('POST', '/admin/surveys/{id}/publish'),
  dashboard('POST', '/admin/surveys/{id}/unpublish'),
  dashboard('GET', '/admin/surveys/{id}/waves/new'),
  dashboard('POST', '/admin/surveys/{id}/waves'),
  dashboard('GET', '/admin/surveys/{id}/responses.csv'),
  dashboard('GET', '/admin/contacts'),
  dashboard('GET', '/admin/contacts/{id}'),
  dashboard('GET', '/admin/contacts/{id}/erase'),
  dashboard('POST', '/admin/contacts/{id}/erase'),
  dashboard('GET', '/admin/followups'),
  dashboard('POST', '/admin/followups/{id}'),
  dashboard('GET', '/admin/responses/{ref}'),
];

/** The API Gateway route key of a route, e.g. "GET /api/contacts/{id}". */
export const routeKey = (r: Pick<Route, 'method' | 'path'>): string => `${r.method} ${r.path}`;

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string>;
}

/** Finds the route for a method and a concrete path, as API Gateway would. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const parts = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < template.length; i++) {
      const t = template[i] as string;
      const p = parts[i] as string;
      if (t.startsWith('{') && t.endsWith('}')) {
        if (p === '') {
          ok = false;
          break;
        }
        params[t.slice(1, -1)] = decodeURIComponent(p);
      } else if (t !== p) {
        ok = false;
        break;
      }
    }
    if (ok) return { route, pathParameters: params };
  }
  return undefined;
}

/** Whether any route exists for this path with another method (405 rather than 404). */
export function pathHasRoutes(path: string): boolean {
  return ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'].some((m) => matchRoute(m, path) !== undefined);
}
