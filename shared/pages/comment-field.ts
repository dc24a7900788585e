/**
 * The comment box, labelled by the follow-up question of the chosen score's segment. Every
 * segment's question is rendered, all but one `hidden`: without JavaScript the server's choice
 * stands; with it, `followUpScript` shows the question for whichever score is picked. Hidden
 * label parts are left out of the accessible name, so the textarea is always named by the
 * visible question.
 */
import { fill, formatNumber } from '../i18n/format.ts';
import { messages } from '../i18n/messages.ts';
import type { Locale } from '../locales.ts';
import type { Segment } from '../scoring.ts';
import { html, type SafeHtml } from './html.ts';

/** Matches the 2,000 characters the respond handler accepts. */
export const maxCommentLength = 2000;

export interface CommentField {
  locale: Locale;
  /** The survey kind's segments with their questions, in display order. */
  questions: { segment: Segment; text: string }[];
  generic: string;
  /** Segment of the chosen score, if any. */
  visible?: Segment;
  comment?: string;
}

export function commentField(c: CommentField): SafeHtml {
  const hint = fill(messages(c.locale).commentHint, { max: formatNumber(maxCommentLength, c.locale) });
  const parts = [
    ...c.questions.map(
      (q) => html`<span data-q="${q.segment}"${q.segment === c.visible ? '' : ' hidden'}>${q.text}</span>`,
    ),
    html`<span data-q=""${c.visible === undefined ? '' : ' hidden'}>${c.generic}</span>`,
  ];
  // HTML parsers drop one newline right after <textarea>: ours, so a comment's own leading newline survives.
  return html`<label class="q" for="comment">${parts}</label>
<p class="hint" id="comment-hint">${hint}</p>
<textarea id="comment" name="comment" rows="4" maxlength="${maxCommentLength}" aria-describedby="comment-hint">
${c.comment ?? ''}</textarea>`;
}

/** Shows the question of the newly chosen score's segment. ES5, no dependencies, a few hundred bytes. */
export const followUpScript =
  "document.addEventListener('change',function(e){var t=e.target;if(!t||t.name!=='score')return;" +
  "var s=t.getAttribute('data-seg'),q=document.querySelectorAll('[data-q]');" +
  "for(var i=0;i<q.length;i++)q[i].hidden=q[i].getAttribute('data-q')!==s})";
