/** Dispatch by API Gateway route key: each admin route names the use case that serves it. */

import type { AdminKeyRecord } from '../../shared/auth/admin-keys.ts';
import type { HttpEvent, HttpResult } from '../../shared/http.ts';

export type AdminAction = (event: HttpEvent, caller: AdminKeyRecord) => Promise<HttpResult>;
export type AdminRoutes = Record<string, AdminAction>;
