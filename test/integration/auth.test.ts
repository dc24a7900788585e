/** Every admin route, walked from the route table: 401 without a key, 403 with a wrong one. */
import { describe, expect, it } from 'vitest';
import { routes } from '../../shared/routes.ts';
import { api } from './setup/helpers.ts';

const concrete = (path: string): string =>
  path
    .replace('{id}', 's_aaaaaaaaaaaaaaaa')
    .replace('{token}', 'x')
    .replace('{surveyId}', 's_aaaaaaaaaaaaaaaa');
const adminRoutes = routes.filter((r) => r.auth === 'admin');

describe('admin authentication', () => {
  it('covers every /api route in the table', () => {
    expect(adminRoutes.length).toBeGreaterThan(15);
    expect(routes.filter((r) => r.path.startsWith('/api/')).every((r) => r.auth === 'admin')).toBe(true);
  });

  it.each(adminRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 401 without a key',
    async (_, route) => {
      const answer = await api<{ error: { code: string } }>(concrete(route.path), {
        method: route.method,
        key: null,
        body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      });
      expect(answer.status).toBe(401);
      expect(answer.json.error.code).toBe('unauthorized');
    },
  );

  it.each(adminRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 403 with a wrong key',
    async (_, route) => {
      const answer = await api<{ error: { code: string } }>(concrete(route.path), {
        method: route.method,
        key: 'npsw_wrong-key-0000000000000000000000000000000000',
        body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      });
      expect(answer.status).toBe(403);
      expect(answer.json.error.code).toBe('forbidden');
    },
  );

  it('refuses a malformed Authorization header as missing', async () => {
    const answer = await api('/api/surveys', { key: null, headers: { authorization: 'Basic abc' } });
    expect(answer.status).toBe(401);
  });

  it('adds a key that works, and revokes it so that it no longer does', async () => {
    const created = await api<{ id: string; key: string }>('/api/admin-keys', { body: { label: 'ci' } });
    expect(created.status).toBe(201);
    expect(created.json.key).toMatch(/^npsw_[A-Za-z0-9_-]{43}$/);
    expect((await api('/api/surveys', { key: created.json.key })).status).toBe(200);
    const listed = await api<{ keys: { id: string; label: string }[] }>('/api/admin-keys');
    expect(listed.json.keys.map((k) => k.id)).toContain(created.json.id);
    expect(JSON.stringify(listed.json)).not.toContain(created.json.key);
    // A key cannot revoke itself; another key can.
    expect(
      (await api(`/api/admin-keys/${created.json.id}`, { method: 'DELETE', key: created.json.key })).status,
    ).toBe(409);
    expect((await api(`/api/admin-keys/${created.json.id}`, { method: 'DELETE' })).status).toBe(204);
    const after = await api<{ error: { message: string } }>('/api/surveys', { key: created.json.key });
    expect(after.status).toBe(403);
    expect(after.json.error.message).toContain('revoked');
  });
});
