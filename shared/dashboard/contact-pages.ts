/**
 * Contacts: finding one by email, and a contact's page with its status, properties, latest answers
 * per survey kind, its follow-ups, its answers across every survey as a timeline, and erasure (after
 * a confirmation).
 */
import type { FollowUp } from '../alert/schema.ts';
import type { PublicContact } from '../contact/schema.ts';
import type { TimelineEntry } from '../contact/timeline.ts';
import { fill } from '../i18n/format.ts';
import { isSupportedLocale } from '../locales.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import { excerpt, responsePath, scoreCell, statusBadge, whenInline } from './followup-cells.ts';
import { renderDashboardPage, type View } from './layout.ts';
import { localeNames } from './survey-edit-page.ts';

export interface ContactSearchInput {
  email?: string;
  notFound?: boolean;
  erased?: boolean;
}

export function renderContactSearchPage(view: View, input: ContactSearchInput): string {
  const { m } = view;
  const main = html`<h1>${m.contacts.title}</h1>
${input.erased ? html`<p class="notice" role="status">${m.contacts.erased}</p>` : ''}
${input.notFound && input.email ? html`<p class="notice error" role="alert">${fill(m.contacts.notFound, { email: input.email })}</p>` : ''}
<form method="get" action="/admin/contacts" class="card" role="search">
<p>${m.contacts.intro}</p>
<label for="c-email">${m.contacts.email}</label>
<input type="email" id="c-email" name="email" value="${input.email ?? ''}" required autocomplete="off" spellcheck="false">
<p><button type="submit">${m.contacts.find}</button></p>
</form>`;
  return renderDashboardPage(view, { title: m.contacts.title, main, current: 'contacts' });
}

export interface ContactPageInput {
  contact: PublicContact;
  timeline: TimelineEntry[];
  /** The contact's follow-ups, newest first. */
  followUps?: FollowUp[];
  nowMs?: number;
}

/** The contact's follow-ups: status in words, survey, score, due or closing time, the answer. */
function followUpsSection(view: View, followUps: FollowUp[], nowMs: number): SafeHtml {
  const { m } = view;
  const items = followUps.map(
    (fu) => html`<li data-followup="${fu.id}">
<p>${statusBadge(view, fu, nowMs)} <a href="${responsePath(fu.invitationId)}">${fill(m.contact.followUpLine, { survey: fu.surveyName, score: view.f.number(fu.score, 0) })}</a></p>
<p>${scoreCell(view, fu)} · ${fu.status === 'closed' && fu.closedAt ? html`${m.followUps.closedAt} ${whenInline(view, fu.closedAt, nowMs)}` : html`${m.followUps.due} ${whenInline(view, fu.dueAt, nowMs)}`}${fu.assignee ? html` · ${fill(m.contact.followUpAssignee, { name: fu.assignee })}` : ''}</p>
${fu.comment ? html`<blockquote>${excerpt(fu.comment, 200)}</blockquote>` : ''}
${fu.note ? html`<p class="muted">${fill(m.contact.followUpNote, { note: excerpt(fu.note, 200) })}</p>` : ''}
</li>`,
  );
  return html`<section class="card" aria-labelledby="followups-h"><h2 id="followups-h">${m.contact.followUps}</h2>
<ol class="timeline">${items}</ol>
</section>`;
}

export function renderContactPage(
  view: View,
  { contact, timeline, followUps = [], nowMs = Date.now() }: ContactPageInput,
): string {
  const { m, f } = view;
  const title = contact.name ? `${contact.name} <${contact.email}>` : contact.email;
  const fact = (term: string, value: string | undefined) =>
    value ? html`<dt>${term}</dt><dd>${value}</dd>` : '';
  const locale =
    contact.locale && isSupportedLocale(contact.locale) ? localeNames[contact.locale] : contact.locale;
  const properties = Object.entries(contact.properties ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const feedback = (['nps', 'csat', 'ces'] as const).flatMap((kind) => {
    const fb = contact.feedback?.[kind];
    if (!fb) return [];
    return [
      html`<li><strong>${m.kinds[kind]}</strong>: ${fill(m.contact.lastRating, { score: f.number(fb.lastRating, 0), date: f.date(fb.lastResponseAt) })}${fb.lastComment ? html`<blockquote>${fb.lastComment}</blockquote>` : ''}</li>`,
    ];
  });
  const entries = timeline.map(
    (e) => html`<li>
<p><a href="/admin/surveys/${encodeURIComponent(e.survey.id)}">${e.survey.name}</a> <span class="muted">${m.kinds[e.survey.kind]}</span></p>
<p>${fill(m.contact.invited, { date: f.date(e.at) })} · ${m.contact.invitation[e.status]}${e.reminders > 0 ? html` · ${fill(m.contact.reminders, { n: f.number(e.reminders, 0) })}` : ''}</p>
${e.score !== undefined && e.respondedAt ? html`<p><span class="pill seg-${e.segment ?? 'passive'}" aria-hidden="true">${f.number(e.score, 0)}</span> ${fill(m.contact.answered, { score: f.number(e.score, 0), date: f.dateTime(e.respondedAt) })}${e.edited ? html` · ${m.feed.edited}` : ''}</p>` : ''}
${e.comment ? html`<blockquote>${e.comment}</blockquote>` : ''}
</li>`,
  );
  const main = html`<p class="muted"><a href="/admin/contacts">${m.contacts.title}</a></p>
<h1>${title}</h1>
<div class="grid two">
<section class="card" aria-labelledby="details-h"><h2 id="details-h">${m.contact.details}</h2>
<dl class="facts">
${fact(m.contact.email, contact.email)}
${fact(m.contact.name, contact.name)}
<dt>${m.contact.status}</dt><dd><span class="badge st-${contact.status === 'subscribed' ? 'published' : 'unpublished'}">${m.contact.statuses[contact.status]}</span></dd>
${fact(m.contact.locale, locale)}
${fact(m.contact.timezone, contact.timezone)}
${fact(m.contact.customerSince, contact.customerSince ? f.date(contact.customerSince) : undefined)}
${fact(m.contact.created, f.date(contact.createdAt))}
</dl>
<h3>${m.contact.properties}</h3>
${properties.length ? html`<dl class="facts">${properties.map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}</dl>` : html`<p class="muted">${m.contact.noProperties}</p>`}
</section>
<section class="card" aria-labelledby="feedback-h"><h2 id="feedback-h">${m.contact.feedback}</h2>
${feedback.length ? html`<ul class="timeline">${feedback}</ul>` : html`<p class="muted">${m.contact.noFeedback}</p>`}
</section>
</div>
${followUps.length ? followUpsSection(view, followUps, nowMs) : ''}
<section class="card" aria-labelledby="timeline-h"><h2 id="timeline-h">${m.contact.timeline}</h2>
${entries.length ? html`<ol class="timeline">${entries}</ol>` : html`<p class="muted">${m.contact.timelineEmpty}</p>`}
</section>
<p><a class="btn danger" href="/admin/contacts/${encodeURIComponent(contact.id)}/erase">${m.contact.erase}</a></p>`;
  return renderDashboardPage(view, { title, main, current: 'contacts' });
}
