/**
 * A survey's page: its state and actions, the score with its margin and benchmark, the distribution,
 * the trend with significant changes marked and said, each wave's funnel, the segment breakdowns and
 * the comment feed. Every figure comes from the aggregates; only the feed reads answers, a page at a time.
 */
import { fill } from '../i18n/format.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import type { SurveyReport, TrendPoint, TrendUnit } from '../report/survey-report.ts';
import type { FeedFilter, FeedPage } from '../response/feed.ts';
import type { SurveyBenchmark } from '../score/benchmark.ts';
import { csrfField, renderDashboardPage, type View } from './layout.ts';
import { commentsCard } from './survey/comments-card.ts';
import { distributionCard, scoreCard } from './survey/score-card.ts';
import { segmentsCard } from './survey/segments-card.ts';
import { trendCard } from './survey/trend-card.ts';
import { wavesCard } from './survey/waves-card.ts';

export type SurveyNotice = 'published' | 'unpublished' | 'wave' | 'saved';

export interface SurveyPageInput {
  report: SurveyReport;
  benchmark: SurveyBenchmark | undefined;
  trendUnit: TrendUnit;
  trend: TrendPoint[];
  feed: FeedPage;
  filter: FeedFilter;
  /** The feed page asked for, if not the newest. */
  cursor?: string;
  contacts: ReadonlyMap<string, { email: string; name?: string }>;
  /** A wave whose funnel was asked for. */
  funnel?: string;
  nextWave?: Date;
  notice?: SurveyNotice;
}

/** The survey page's URL with its query: every view parameter kept unless replaced. */
export function surveyHref(id: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const text = params.toString();
  return `/admin/surveys/${encodeURIComponent(id)}${text ? `?${text}` : ''}`;
}

function header(view: View, input: SurveyPageInput): SafeHtml {
  const { m, f } = view;
  const { survey } = input.report;
  const base = `/admin/surveys/${encodeURIComponent(survey.id)}`;
  const stateForm = (action: 'publish' | 'unpublish', text: string, ghost: boolean) =>
    html`<form method="post" action="${base}/${action}">${csrfField(view)}<button type="submit"${ghost ? html` class="ghost"` : ''}>${text}</button></form>`;
  const actions = [
    survey.state === 'published'
      ? stateForm('unpublish', m.survey.unpublish, true)
      : stateForm('publish', m.survey.publish, false),
    survey.state === 'published'
      ? html`<a class="btn" href="${base}/waves/new">${m.survey.startWave}</a>`
      : '',
    html`<a class="btn ghost" href="${base}/edit">${m.survey.edit}</a>`,
    html`<a class="btn ghost" href="${base}/responses.csv">${m.survey.download}</a>`,
  ];
  return html`<p class="muted"><a href="/admin">${m.nav.surveys}</a></p>
<h1>${survey.name}</h1>
<p class="muted">${fill(m.survey.kindLine, {
    kind: m.kinds[survey.kind],
    min: String(survey.scale.min),
    max: String(survey.scale.max),
    date: f.date(survey.createdAt, survey.timezone),
  })} · <span class="badge st-${survey.state}">${m.states[survey.state]}</span></p>
${survey.anonymous ? html`<p class="muted">${m.survey.anonymous}</p>` : ''}
${input.notice ? html`<p class="notice" role="status">${m.survey.done[input.notice]}</p>` : ''}
<div class="actions" aria-label="${m.survey.actions}" role="group">${actions}</div>
${input.nextWave ? html`<p class="muted">${fill(m.survey.nextWave, { date: f.dateTime(input.nextWave.toISOString(), survey.timezone) })}</p>` : ''}`;
}

export function renderSurveyPage(view: View, input: SurveyPageInput): string {
  const { survey } = input.report;
  const viewQuery = {
    trend: input.trendUnit,
    funnel: input.funnel,
  };
  const feedQuery = {
    segment: input.filter.segment,
    wave: input.filter.waveId,
    min: input.filter.minScore === undefined ? undefined : String(input.filter.minScore),
    max: input.filter.maxScore === undefined ? undefined : String(input.filter.maxScore),
    q: input.filter.text,
  };
  const main = html`${header(view, input)}
<div class="grid two">
${scoreCard(view, input.report, input.benchmark)}
${distributionCard(view, input.report)}
</div>
${trendCard(view, {
  report: input.report,
  unit: input.trendUnit,
  points: input.trend,
  benchmark: input.benchmark,
  hrefFor: (trend) => surveyHref(survey.id, { ...feedQuery, ...viewQuery, trend }),
})}
${wavesCard(view, {
  report: input.report,
  ...(input.funnel && { chosen: input.funnel }),
  hrefFor: (funnel) => surveyHref(survey.id, { ...feedQuery, ...viewQuery, funnel }),
})}
${segmentsCard(view, input.report)}
${commentsCard(view, {
  report: input.report,
  filter: input.filter,
  page: input.feed,
  contacts: input.contacts,
  paged: input.cursor !== undefined,
  hrefFor: (query) => surveyHref(survey.id, { ...viewQuery, ...query }),
  keep: Object.fromEntries(
    Object.entries(viewQuery).filter((e): e is [string, string] => e[1] !== undefined),
  ),
})}`;
  return renderDashboardPage(view, { title: survey.name, main, current: 'surveys', script: feedScript });
}

/**
 * Filters and pages the comment feed without a reload: the same URL is fetched and its feed section
 * swapped in (and put in the history). ES5, no dependencies; without it the links and form work as is.
 */
export const feedScript =
  "(function(){var busy=false;function load(u){if(busy)return;busy=true;var box=document.getElementById('comments');" +
  "box.setAttribute('aria-busy','true');fetch(u,{credentials:'same-origin'}).then(function(r){if(!r.ok||r.redirected)throw 0;return r.text()})" +
  ".then(function(t){var n=new DOMParser().parseFromString(t,'text/html').getElementById('comments');if(!n)throw 0;" +
  "box.parentNode.replaceChild(n,box);history.pushState(null,'',u);var h=n.querySelector('h2');h.tabIndex=-1;h.focus()})" +
  "['catch'](function(){location.href=u}).then(function(){busy=false})}" +
  "document.addEventListener('submit',function(e){var f=e.target;if(!f.hasAttribute('data-feed-filter'))return;e.preventDefault();" +
  "var q=[],d=new FormData(f);d.forEach(function(v,k){if(v!=='')q.push(encodeURIComponent(k)+'='+encodeURIComponent(v))});" +
  "load(location.pathname+(q.length?'?'+q.join('&'):'')+'#comments')});" +
  "document.addEventListener('click',function(e){var a=e.target.closest&&e.target.closest('#comments a');" +
  'if(!a||a.origin!==location.origin||a.pathname!==location.pathname||e.ctrlKey||e.metaKey||e.shiftKey)return;e.preventDefault();load(a.href)});' +
  "window.addEventListener('popstate',function(){location.reload()})})();";
