/** Admin routes for admin keys: list, add (the key is shown once), revoke. */
import * as v from 'valibot';
import { createAdminKey, listAdminKeys, revokeAdminKey } from '../../shared/auth/admin-keys.ts';
import { json, jsonBody, noContent, parseInput, pathParam } from '../../shared/http.ts';
import type { AdminRoutes } from './router.ts';

const newKeyInput = v.strictObject({ label: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100)) });

export const keyRoutes: AdminRoutes = {
  'GET /api/admin-keys': async () => json(200, { keys: await listAdminKeys() }),
  'POST /api/admin-keys': async (event) => {
    const { label } = parseInput(newKeyInput, jsonBody(event));
    const { key, record } = await createAdminKey(label);
    return json(201, { ...record, key });
  },
  'DELETE /api/admin-keys/{id}': async (event, caller) => {
    await revokeAdminKey(pathParam(event, 'id'), caller);
    return noContent();
  },
};
