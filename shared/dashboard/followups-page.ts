/**
 * The follow-ups: open ones by due time (so the overdue, marked in words, come first), or the closed
 * ones most recently closed first; each with its survey, score and segment, comment, contact,
 * assignee, due (or closing) time and a link to the answer. A table that becomes cards on a phone;
 * paging and the open/closed switch are plain links, so it works without JavaScript.
 */
import type { FollowUp, FollowUpStatus } from '../alert/schema.ts';
import { fill } from '../i18n/format.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import {
  contactCell,
  dueCell,
  excerpt,
  isOverdueAt,
  responsePath,
  scoreCell,
  whenCell,
} from './followup-cells.ts';
import { renderDashboardPage, type View } from './layout.ts';

export interface FollowUpsPageInput {
  status: FollowUpStatus;
  followUps: FollowUp[];
  /** Only this survey's (its id, and its name when one of them shows it). */
  surveyId?: string;
  /** The page asked for, if not the first. */
  cursor?: string;
  /** The next page's cursor. */
  next?: string;
  nowMs: number;
}

/** The list's URL with its query. */
export function followUpsHref(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const text = params.toString();
  return `/admin/followups${text ? `?${text}` : ''}`;
}

function row(view: View, f: FollowUp, nowMs: number): SafeHtml {
  const { m } = view;
  const closed = f.status === 'closed';
  const overdue = isOverdueAt(f, nowMs);
  const first = closed && f.closedAt ? whenCell(view, f.closedAt, nowMs) : dueCell(view, f, nowMs);
  return html`<tr data-followup="${f.id}"${overdue ? html` data-overdue="true"` : ''}>
<td class="name" data-label="${closed ? m.followUps.closedAt : m.followUps.due}">${first}</td>
<td data-label="${m.followUps.survey}"><span><a href="/admin/surveys/${encodeURIComponent(f.surveyId)}">${f.surveyName}</a></span></td>
<td data-label="${m.followUps.score}">${scoreCell(view, f)}</td>
<td data-label="${m.followUps.comment}"><span>${f.comment ? excerpt(f.comment) : html`<span class="muted">${m.followUps.noComment}</span>`}</span></td>
<td data-label="${m.followUps.contact}"><span>${contactCell(view, f)}</span></td>
<td data-label="${m.followUps.assignee}"><span>${f.assignee ?? html`<span class="muted">${m.followUps.unassigned}</span>`}</span></td>${
    closed
      ? html`
<td data-label="${m.followUps.note}"><span>${f.note ? excerpt(f.note) : ''}</span></td>`
      : ''
  }
<td data-label="${m.followUps.answer}"><span><a href="${responsePath(f.invitationId)}">${m.followUps.openAnswer}<span class="sr-only"> ${fill(m.followUps.answerContext, { survey: f.surveyName, score: view.f.number(f.score, 0) })}</span></a></span></td>
</tr>`;
}

export function renderFollowUpsPage(view: View, input: FollowUpsPageInput): string {
  const { m, f } = view;
  const closed = input.status === 'closed';
  const base = { status: closed ? 'closed' : undefined, survey: input.surveyId };
  const tab = (status: FollowUpStatus, text: string) =>
    html`<li><a href="${followUpsHref({ status: status === 'closed' ? 'closed' : undefined, survey: input.surveyId })}"${status === input.status ? html` aria-current="page"` : ''}>${text}</a></li>`;
  const surveyName = input.followUps.find((x) => x.surveyId === input.surveyId)?.surveyName ?? input.surveyId;
  const pager = [
    input.cursor ? html`<a href="${followUpsHref(base)}">${m.followUps.first}</a>` : '',
    input.next
      ? html`<a href="${followUpsHref({ ...base, cursor: input.next })}" rel="next">${m.followUps.more}</a>`
      : '',
  ].filter((x) => x !== '');
  const head = html`<tr><th scope="col">${closed ? m.followUps.closedAt : m.followUps.due}</th><th scope="col">${m.followUps.survey}</th><th scope="col">${m.followUps.score}</th><th scope="col">${m.followUps.comment}</th><th scope="col">${m.followUps.contact}</th><th scope="col">${m.followUps.assignee}</th>${closed ? html`<th scope="col">${m.followUps.note}</th>` : ''}<th scope="col">${m.followUps.answer}</th></tr>`;
  const main = html`<h1>${m.followUps.title}</h1>
<nav aria-label="${m.followUps.views}"><ul class="tabs">${tab('open', m.followUps.open)}${tab('closed', m.followUps.closed)}</ul></nav>
${input.surveyId ? html`<p class="muted">${fill(m.followUps.ofSurvey, { survey: surveyName ?? '' })} <a href="${followUpsHref({ status: base.status })}">${m.followUps.allSurveys}</a></p>` : ''}
${
  input.followUps.length === 0
    ? html`<div class="card"><p>${closed ? m.followUps.emptyClosed : m.followUps.emptyOpen}</p>${pager.length ? html`<nav class="pager" aria-label="${m.followUps.title}">${pager}</nav>` : ''}</div>`
    : html`<div class="card scroll"><table class="surveys followups">
<caption class="sr-only">${closed ? m.followUps.captionClosed : m.followUps.captionOpen}</caption>
<thead>${head}</thead>
<tbody>${input.followUps.map((x) => row(view, x, input.nowMs))}</tbody>
</table>
<p class="muted">${fill(m.followUps.shown, { n: f.number(input.followUps.length, 0) })}</p>
${pager.length ? html`<nav class="pager" aria-label="${m.followUps.title}">${pager}</nav>` : ''}
</div>`
}`;
  return renderDashboardPage(view, { title: m.followUps.title, main, current: 'followups' });
}
