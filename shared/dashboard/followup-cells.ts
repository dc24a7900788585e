/**
 * The parts every view of a follow-up shares (the list, the answer page, the overview's card, the
 * contact page): its status in words (overdue is said, never shown by colour alone), a due time both
 * relative and absolute, who it is about, and a comment cut to an excerpt.
 */
import type { FollowUp } from '../alert/schema.ts';
import { fill } from '../i18n/format.ts';
import type { Locale } from '../locales.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import type { View } from './layout.ts';

export const responsePath = (ref: string): string => `/admin/responses/${encodeURIComponent(ref)}`;

/** Overdue: open and past its due time (as shared/alert/followups.ts's isOverdue, at the view's now). */
export const isOverdueAt = (f: Pick<FollowUp, 'status' | 'dueAt'>, nowMs: number): boolean =>
  f.status === 'open' && Date.parse(f.dueAt) < nowMs;

const relativeFormats = new Map<Locale, Intl.RelativeTimeFormat>();

/** "in 3 hours", "2 days ago": minutes under an hour, hours under a day and a half, days beyond. */
export function relativeTime(locale: Locale, iso: string, nowMs: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  let format = relativeFormats.get(locale);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    relativeFormats.set(locale, format);
  }
  const minutes = (at - nowMs) / 60_000;
  if (Math.abs(minutes) < 59.5) return format.format(Math.round(minutes), 'minute');
  if (Math.abs(minutes) < 36 * 60) return format.format(Math.round(minutes / 60), 'hour');
  return format.format(Math.round(minutes / (24 * 60)), 'day');
}

/** A moment as "in 3 hours" with the date and time (zone named) beneath. */
export function whenCell(view: View, iso: string, nowMs: number): SafeHtml {
  return html`<span><time datetime="${iso}">${relativeTime(view.locale, iso, nowMs)}</time><br><span class="muted">${view.f.dateTime(iso)}</span></span>`;
}

/** The same on one line: "in 3 hours (2 Mar 2026, 14:00 UTC)". */
export function whenInline(view: View, iso: string, nowMs: number): SafeHtml {
  const text = fill(view.m.followUps.when, {
    relative: relativeTime(view.locale, iso, nowMs),
    absolute: view.f.dateTime(iso),
  });
  return html`<time datetime="${iso}">${text}</time>`;
}

/** The status as a badge with words: open, overdue, closed. */
export function statusBadge(view: View, f: FollowUp, nowMs: number): SafeHtml {
  const { m } = view;
  if (f.status === 'closed') return html`<span class="badge st-published">${m.followUps.statusClosed}</span>`;
  if (isOverdueAt(f, nowMs))
    return html`<strong class="badge st-unpublished overdue">${m.followUps.overdue}</strong>`;
  return html`<span class="badge st-sending">${m.followUps.statusOpen}</span>`;
}

/** The due time, marked "Overdue" in words when it has passed. */
export function dueCell(view: View, f: FollowUp, nowMs: number): SafeHtml {
  const overdue = isOverdueAt(f, nowMs);
  return html`<span>${overdue ? html`<strong class="badge st-unpublished overdue">${view.m.followUps.overdue}</strong><br>` : ''}<time datetime="${f.dueAt}">${relativeTime(view.locale, f.dueAt, nowMs)}</time><br><span class="muted">${view.f.dateTime(f.dueAt)}</span></span>`;
}

/** The contact it is about, linked; "anonymous" when the answer names nobody. */
export function contactCell(view: View, f: FollowUp): SafeHtml {
  if (!f.contactId) return html`<span class="muted">${view.m.followUps.anonymous}</span>`;
  const text = f.contactName ?? f.contactEmail ?? f.contactId;
  return html`<a href="/admin/contacts/${encodeURIComponent(f.contactId)}">${text}</a>`;
}

/** At most `max` characters, cut between characters (never inside a surrogate pair). */
export function excerpt(text: string, max = 120): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/** The score as a coloured pill (hidden from screen readers) beside its words. */
export function scoreCell(view: View, f: Pick<FollowUp, 'score' | 'segment'>): SafeHtml {
  const { m, f: fmt } = view;
  return html`<span><span class="pill seg-${f.segment}" aria-hidden="true">${fmt.number(f.score, 0)}</span> <span class="sr-only">${fmt.number(f.score, 0)}</span> ${m.segment[f.segment]}</span>`;
}
