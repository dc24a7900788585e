/** Response headers of every public page, and the per-request nonce their CSP names. */
import { randomBytes } from 'node:crypto';
import { baseCssHash } from './style.ts';

/** 128 random bits, base64: a fresh one per response, or the CSP nonce protects nothing. */
export const newNonce = (): string => randomBytes(16).toString('base64');

export interface PageHeaderOptions {
  nonce: string;
  /** Only over HTTPS (on AWS); a browser would pin a local http:// stack to HTTPS otherwise. */
  hsts: boolean;
  /** The CSP source of the page's stylesheet (default: the public pages' `baseCss`). */
  styleHash?: string;
  /** The page's script may fetch from its own origin (the dashboard's filters). */
  connectSelf?: boolean;
}

export function pageHeaders({
  nonce,
  hsts,
  styleHash,
  connectSelf,
}: PageHeaderOptions): Record<string, string> {
  const csp = [
    "default-src 'none'",
    // The stylesheet by hash, the accent block by nonce: no 'unsafe-inline' anywhere.
    `style-src ${styleHash ?? baseCssHash} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    ...(connectSelf ? ["connect-src 'self'"] : []),
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    // The token is in the URL: it must not leak to any other site through Referer.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
    'x-robots-tag': 'noindex, nofollow',
    ...(hsts ? { 'strict-transport-security': 'max-age=63072000; includeSubDomains' } : {}),
  };
}
