/**
 * One answer, as alerts, webhooks and follow-ups link to it (/admin/responses/{ref}): the survey,
 * wave, score and segment, comment, when, and the contact unless the answer is anonymous; beside it
 * the answer's follow-up with its forms: close (a note is required, by the field and by the server),
 * reopen, reassign and change the due time. Every form is a plain POST that comes back here.
 */
import type { FollowUp, FollowUpHistoryEntry } from '../alert/schema.ts';
import { fill } from '../i18n/format.ts';
import type { Invitation } from '../invitation/schema.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import { segmentOf } from '../scoring.ts';
import type { Survey } from '../survey/schema.ts';
import { responsePath, scoreCell, statusBadge, whenCell } from './followup-cells.ts';
import { csrfField, renderDashboardPage, type View } from './layout.ts';

export type ResponseNotice = 'closed' | 'reopened' | 'updated';
export const responseNotices: readonly ResponseNotice[] = ['closed', 'reopened', 'updated'];

/** The wave an answer came in: a send of the survey (its start), or the link or triggered one. */
export type AnswerWave = { rolling: 'link' | 'triggered' } | { startedAt: string };

export interface ResponsePageInput {
  ref: string;
  answer: Invitation;
  survey: Pick<Survey, 'id' | 'name' | 'kind' | 'scale' | 'timezone' | 'anonymous'>;
  wave?: AnswerWave;
  /** The contact, when the answer names one that still exists. */
  contact?: { id: string; email: string; name?: string };
  followUp?: FollowUp;
  nowMs: number;
  notice?: ResponseNotice;
  /** Why the last form was refused, in words. */
  problem?: string;
  /** A refused form's fields, shown again as posted. */
  values?: { assignee?: string; due?: string };
}

/** A moment as a datetime-local value in UTC (the field says so). */
export const utcLocalValue = (iso: string): string => new Date(iso).toISOString().slice(0, 16);

function answerCard(view: View, input: ResponsePageInput): SafeHtml {
  const { m, f } = view;
  const { answer, survey } = input;
  const tz = survey.timezone;
  const answered = answer.score !== undefined && answer.respondedAt !== undefined;
  const segment =
    answer.segment ?? (answered ? segmentOf(answer.kind, answer.scale, answer.score as number) : undefined);
  const wave = !input.wave
    ? ''
    : 'rolling' in input.wave
      ? input.wave.rolling === 'link'
        ? m.response.linkWave
        : m.waves.triggered
      : f.date(input.wave.startedAt, tz);
  const contact =
    survey.anonymous || answer.anonymous
      ? html`<span class="muted">${m.response.anonymous}</span>`
      : input.contact
        ? html`<a href="/admin/contacts/${encodeURIComponent(input.contact.id)}">${input.contact.name ?? input.contact.email}</a>${input.contact.name ? html` &lt;${input.contact.email}&gt;` : ''}`
        : html`<span class="muted">${m.response.noContact}</span>`;
  return html`<section class="card" aria-labelledby="answer-h"><h2 id="answer-h">${m.response.answer}</h2>
<dl class="facts">
<dt>${m.response.survey}</dt><dd><a href="/admin/surveys/${encodeURIComponent(survey.id)}">${survey.name}</a> <span class="muted">${m.kinds[survey.kind]}</span></dd>
${wave ? html`<dt>${m.response.wave}</dt><dd>${wave}</dd>` : ''}
${
  answered && segment
    ? html`<dt>${m.response.score}</dt><dd>${scoreCell(view, { score: answer.score as number, segment })}</dd>
<dt>${m.response.answeredAt}</dt><dd><time datetime="${answer.respondedAt}">${f.dateTime(answer.respondedAt as string)}</time>${(answer.responseVersion ?? 0) > 1 ? html` · <span class="muted">${m.response.edited}</span>` : ''}</dd>`
    : html`<dt>${m.response.score}</dt><dd class="muted">${m.response.notAnswered}</dd>`
}
<dt>${m.response.contact}</dt><dd>${contact}</dd>
</dl>
<h3>${m.response.comment}</h3>
${answer.comment ? html`<blockquote>${answer.comment}</blockquote>` : html`<p class="muted">${m.response.noComment}</p>`}
</section>`;
}

function historyText(view: View, entry: FollowUpHistoryEntry): string {
  const { actions } = view.m.response;
  if (entry.action === 'assigned')
    return entry.note ? fill(actions.assigned, { name: entry.note }) : actions.unassigned;
  return actions[entry.action];
}

function followUpForms(view: View, input: ResponsePageInput, fu: FollowUp): SafeHtml {
  const { m } = view;
  const action = `/admin/followups/${encodeURIComponent(fu.id)}`;
  const hidden = (what: string) =>
    html`${csrfField(view)}<input type="hidden" name="action" value="${what}"><input type="hidden" name="ref" value="${input.ref}">`;
  const statusForm =
    fu.status === 'open'
      ? html`<form method="post" action="${action}">${hidden('close')}
<fieldset><legend>${m.response.close}</legend>
<label for="fu-note">${m.response.closeNote}</label>
<textarea id="fu-note" name="note" required maxlength="2000" aria-describedby="fu-note-hint"></textarea>
<p class="muted" id="fu-note-hint">${m.response.closeHint}</p>
<button type="submit">${m.response.closeSubmit}</button>
</fieldset></form>`
      : html`<form method="post" action="${action}">${hidden('reopen')}
<fieldset><legend>${m.response.reopen}</legend>
<label for="fu-reopen-note">${m.response.reopenNote}</label>
<textarea id="fu-reopen-note" name="note" maxlength="2000"></textarea>
<button type="submit" class="ghost">${m.response.reopenSubmit}</button>
</fieldset></form>`;
  const assignee = input.values?.assignee ?? fu.assignee ?? '';
  const due = input.values?.due ?? utcLocalValue(fu.dueAt);
  return html`${statusForm}
<form method="post" action="${action}">${hidden('update')}
<fieldset><legend>${m.response.change}</legend>
<label for="fu-assignee">${m.response.assigneeLabel}</label>
<input type="text" id="fu-assignee" name="assignee" value="${assignee}" maxlength="200" autocomplete="off" aria-describedby="fu-assignee-hint">
<p class="muted" id="fu-assignee-hint">${m.response.assigneeHint}</p>
<label for="fu-due">${m.response.dueLabel}</label>
<input type="datetime-local" id="fu-due" name="dueAt" value="${due}" required>
<p><button type="submit" class="ghost">${m.response.save}</button></p>
</fieldset></form>`;
}

function followUpCard(view: View, input: ResponsePageInput): SafeHtml {
  const { m, f } = view;
  const fu = input.followUp;
  if (!fu) {
    return html`<section class="card" aria-labelledby="followup-h"><h2 id="followup-h">${m.response.followUp}</h2>
<p class="muted">${m.response.noFollowUp}</p></section>`;
  }
  const later = fu.invitationId !== input.ref;
  const fact = (term: string, value: SafeHtml | string) => html`<dt>${term}</dt><dd>${value}</dd>`;
  const facts = [
    fact(m.response.status, statusBadge(view, fu, input.nowMs)),
    fact(m.response.assignee, fu.assignee ?? html`<span class="muted">${m.followUps.unassigned}</span>`),
    fu.status === 'open' ? fact(m.response.due, whenCell(view, fu.dueAt, input.nowMs)) : undefined,
    fu.status === 'closed' && fu.closedAt
      ? fact(m.response.closedAt, whenCell(view, fu.closedAt, input.nowMs))
      : undefined,
    fu.note ? fact(m.response.note, fu.note) : undefined,
    fact(m.response.opened, html`<time datetime="${fu.createdAt}">${f.dateTime(fu.createdAt)}</time>`),
  ].filter((x) => x !== undefined);
  const history = [...fu.history]
    .reverse()
    .map(
      (entry) =>
        html`<li><strong>${historyText(view, entry)}</strong> <span class="muted"><time datetime="${entry.at}">${f.dateTime(entry.at)}</time></span>${entry.note && entry.action !== 'assigned' ? html`<blockquote>${entry.note}</blockquote>` : ''}</li>`,
    );
  return html`<section class="card" id="followup" aria-labelledby="followup-h"><h2 id="followup-h">${m.response.followUp}</h2>
${
  later
    ? html`<p class="notice">${m.response.laterAnswer} <a href="${responsePath(fu.invitationId)}">${m.response.openLater}</a></p>
`
    : ''
}<dl class="facts">
${facts.map(
  (x) => html`${x}
`,
)}</dl>
${followUpForms(view, input, fu)}
${history.length ? html`<h3>${m.response.history}</h3><ol class="timeline">${history}</ol>` : ''}
</section>`;
}

export function renderResponsePage(view: View, input: ResponsePageInput): string {
  const { m } = view;
  const title = fill(m.response.title, { survey: input.survey.name });
  const main = html`<p class="muted"><a href="/admin/followups">${m.followUps.title}</a></p>
<h1>${title}</h1>
${
  input.notice
    ? html`<p class="notice" role="status">${m.response.done[input.notice]}</p>
`
    : ''
}${
  input.problem
    ? html`<p class="notice error" role="alert">${input.problem}</p>
`
    : ''
}<div class="grid two">
${answerCard(view, input)}
${followUpCard(view, input)}
</div>`;
  return renderDashboardPage(view, { title, main, current: 'followups' });
}
