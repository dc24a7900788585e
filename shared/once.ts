/**
 * Forms that must act once carry a random one-time key. The action records it in the same write that
 * does the work (a wave's id is derived from it; an edit stores it with the survey), so a second post
 * of the same form (a double click, a reload, a retry after a lost answer) finds its own work done.
 */
import { randomBytes } from 'node:crypto';

export const newOnceKey = (): string => randomBytes(16).toString('base64url');

export const isOnceKey = (key: string | null | undefined): key is string =>
  key !== null && key !== undefined && /^[A-Za-z0-9_-]{22}$/.test(key);
