/**
 * The scale as a real radio group: a <fieldset> whose <legend> is the question (and the page's
 * only <h1>), one visible <label> per point, and the end labels tied to the end points by
 * aria-describedby, so "0" is announced as "0 out of 10, Not at all likely".
 */
import type { Locale } from '../locales.ts';
import { type Scale, type SurveyKind, segmentOf } from '../scoring.ts';
import { html, type SafeHtml } from './html.ts';
import { scoreLabel, scoresOf } from './scores.ts';

export interface ScoreFieldset {
  kind: SurveyKind;
  scale: Scale;
  locale: Locale;
  question: string;
  lowLabel: string;
  highLabel: string;
  checked?: number;
}

export function scoreFieldset(f: ScoreFieldset): SafeHtml {
  const scores = scoresOf(f.scale);
  const options = scores.map((score) => {
    const describedBy = score === f.scale.min ? 'end-lo' : score === f.scale.max ? 'end-hi' : undefined;
    return html`<div class="opt"><input type="radio" id="s${score}" name="score" value="${score}" data-seg="${segmentOf(f.kind, f.scale, score)}" aria-label="${scoreLabel(f.locale, score, f.scale)}"${describedBy ? html` aria-describedby="${describedBy}"` : ''} required${score === f.checked ? ' checked' : ''}><label for="s${score}">${score}</label></div>`;
  });
  return html`<fieldset>
<legend><h1>${f.question}</h1></legend>
<div class="scale n${scores.length}">${options}</div>
<div class="ends"><span id="end-lo">${f.lowLabel}</span><span id="end-hi">${f.highLabel}</span></div>
</fieldset>`;
}
