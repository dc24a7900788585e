/** The URLs an invitation email carries (CONTRACT.md, "Email links"). */

const base = (publicUrl: string): string => publicUrl.replace(/\/+$/, '');
const path = (token: string): string => encodeURIComponent(token);

export const responseUrl = (publicUrl: string, token: string, score: number): string =>
  `${base(publicUrl)}/r/${path(token)}?score=${score}`;

export const unsubscribeUrl = (publicUrl: string, token: string): string =>
  `${base(publicUrl)}/u/${path(token)}`;

/** The honeypot: no person sees this link, so whatever fetches it is a machine. */
export const honeypotUrl = (publicUrl: string, token: string): string =>
  `${base(publicUrl)}/h/${path(token)}`;
