/**
 * The route table (shared/routes.ts) and the handlers agree: every route is served by the function
 * the table names, and no function serves a route the table (and so API Gateway) does not have.
 */
import { describe, expect, it } from 'vitest';
import { servedRouteKeys as apiRoutes } from '../../functions/api/handler.ts';
import { servedRouteKeys as respondRoutes } from '../../functions/respond/handler.ts';
import { matchRoute, routeKey, routes } from '../../shared/routes.ts';

describe('the route table and the handlers', () => {
  const served = { api: apiRoutes(), respond: respondRoutes() };

  it.each(['api', 'respond'] as const)('%s serves exactly its routes of the table', (fn) => {
    const table = routes
      .filter((r) => r.fn === fn)
      .map(routeKey)
      .sort();
    expect([...served[fn]].sort()).toEqual(table);
  });

  it('puts every dashboard page behind a session, but the sign-in page', () => {
    const dashboard = routes.filter((r) => r.path === '/admin' || r.path.startsWith('/admin/'));
    expect(dashboard.length).toBeGreaterThan(10);
    for (const r of dashboard) {
      expect(r.fn, routeKey(r)).toBe('api');
      expect(r.auth, routeKey(r)).toBe(r.path === '/admin/sign-in' ? 'public' : 'session');
    }
    expect(routes.filter((r) => r.path.startsWith('/api/')).every((r) => r.auth === 'admin')).toBe(true);
  });

  it('matches concrete paths to their template, and nothing else', () => {
    expect(matchRoute('GET', '/admin')?.route.path).toBe('/admin');
    expect(matchRoute('GET', '/admin/surveys/s_x/responses.csv')?.pathParameters).toEqual({ id: 's_x' });
    expect(matchRoute('POST', '/admin/contacts/c_1/erase')?.route.auth).toBe('session');
    expect(matchRoute('GET', '/admin/assets/app.js')).toBeUndefined();
  });
});
