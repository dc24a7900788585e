/**
 * The comment feed, newest first, a page at a time: a filter form (segment, wave, score range, text)
 * that is a plain GET, so it works without JavaScript; the contact's name and email where the survey
 * is not anonymous, linking to the contact.
 */
import { fill } from '../../i18n/format.ts';
import { html, type SafeHtml } from '../../pages/html.ts';
import type { SurveyReport } from '../../report/survey-report.ts';
import type { FeedFilter, FeedPage } from '../../response/feed.ts';
import { segmentsOf } from '../../scoring.ts';
import type { View } from '../layout.ts';

export interface CommentsCardInput {
  report: SurveyReport;
  filter: FeedFilter;
  page: FeedPage;
  contacts: ReadonlyMap<string, { email: string; name?: string }>;
  /** Whether this page is an older one (a cursor was given): then "newest" leads back. */
  paged: boolean;
  /** The page's URL with the feed's query (filters, cursor) replaced. */
  hrefFor: (query: Record<string, string | undefined>) => string;
  /** Other parameters the form must keep (e.g. the trend view). */
  keep: Record<string, string>;
}

const filterQuery = (filter: FeedFilter): Record<string, string | undefined> => ({
  segment: filter.segment,
  wave: filter.waveId,
  min: filter.minScore === undefined ? undefined : String(filter.minScore),
  max: filter.maxScore === undefined ? undefined : String(filter.maxScore),
  q: filter.text,
});

function filterForm(view: View, input: CommentsCardInput): SafeHtml {
  const { m, f } = view;
  const { survey } = input.report;
  const { filter } = input;
  const scores = Array.from(
    { length: survey.scale.max - survey.scale.min + 1 },
    (_, i) => survey.scale.min + i,
  );
  const option = (value: string, text: string, selected: boolean) =>
    html`<option value="${value}"${selected ? html` selected` : ''}>${text}</option>`;
  const waves = [...input.report.waves].reverse();
  return html`<form method="get" action="#comments" class="filters" role="search" aria-label="${m.feed.filter}" data-feed-filter>
${Object.entries(input.keep).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<div><label for="f-segment">${m.feed.segment}</label><select id="f-segment" name="segment">${option('', m.feed.anySegment, !filter.segment)}${segmentsOf(survey.kind).map((s) => option(s, m.segments[s], filter.segment === s))}</select></div>
<div><label for="f-wave">${m.feed.wave}</label><select id="f-wave" name="wave">${option('', m.feed.anyWave, !filter.waveId)}${waves.map((w) => option(w.wave.id, w.rolling ? m.waves.triggered : f.date(w.wave.startedAt, survey.timezone), filter.waveId === w.wave.id))}</select></div>
<div><label for="f-min">${m.feed.minScore}</label><select id="f-min" name="min">${option('', '–', filter.minScore === undefined)}${scores.map((s) => option(String(s), f.number(s, 0), filter.minScore === s))}</select></div>
<div><label for="f-max">${m.feed.maxScore}</label><select id="f-max" name="max">${option('', '–', filter.maxScore === undefined)}${scores.map((s) => option(String(s), f.number(s, 0), filter.maxScore === s))}</select></div>
<div class="wide"><label for="f-q">${m.feed.text}</label><input type="text" id="f-q" name="q" value="${filter.text ?? ''}" maxlength="100"></div>
<div class="wide go"><button type="submit">${m.feed.apply}</button><a href="${input.hrefFor({})}#comments">${m.feed.clear}</a></div>
</form>`;
}

export function commentsCard(view: View, input: CommentsCardInput): SafeHtml {
  const { m, f } = view;
  const { survey } = input.report;
  const waveDate = new Map(
    input.report.waves.map((w) => [
      w.wave.id,
      w.rolling ? m.waves.triggered : f.date(w.wave.startedAt, survey.timezone),
    ]),
  );
  const items = input.page.entries.map((entry) => {
    const contact = entry.contactId ? input.contacts.get(entry.contactId) : undefined;
    const who = survey.anonymous
      ? m.feed.anonymous
      : contact && entry.contactId
        ? html`<a href="/admin/contacts/${encodeURIComponent(entry.contactId)}">${contact.name ?? contact.email}</a>${contact.name ? html` &lt;${contact.email}&gt;` : ''}`
        : m.feed.noContact;
    const props = Object.entries(entry.reportProps)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return html`<li data-score="${entry.score}" data-segment="${entry.segment}">
<span class="pill seg-${entry.segment}" aria-hidden="true">${f.number(entry.score, 0)}</span>
<div><p class="sr-only">${fill(m.feed.score, { score: f.number(entry.score, 0) })}</p>
<blockquote>${entry.comment}</blockquote>
<p class="who">${m.segment[entry.segment]} · ${who} · <time datetime="${entry.respondedAt}">${f.dateTime(entry.respondedAt, survey.timezone)}</time> · ${waveDate.get(entry.waveId) ?? ''}${entry.edited ? html` · ${m.feed.edited}` : ''}${props ? html` · ${props}` : ''}</p></div>
</li>`;
  });
  const filtered = filterQuery(input.filter);
  const pager = [
    input.paged ? html`<a href="${input.hrefFor(filtered)}#comments">${m.feed.newest}</a>` : '',
    input.page.cursor
      ? html`<a href="${input.hrefFor({ ...filtered, cursor: input.page.cursor })}#comments" rel="next">${m.feed.older}</a>`
      : '',
  ].filter((x) => x !== '');
  return html`<section class="card" id="comments" aria-labelledby="comments-h">
<h2 id="comments-h">${m.feed.heading}</h2>
${filterForm(view, input)}
<div id="feed" aria-live="polite">
<p class="muted">${fill(m.feed.shown, { n: f.number(items.length, 0) })}${input.page.examined > items.length ? html` · ${fill(m.feed.examined, { n: f.number(input.page.examined, 0) })}` : ''}</p>
${items.length ? html`<ol class="comments">${items}</ol>` : html`<p>${m.feed.empty}</p>`}
${pager.length ? html`<nav class="pager" aria-label="${m.feed.heading}">${pager}</nav>` : ''}
</div>
</section>`;
}
