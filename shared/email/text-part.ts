/** The plain-text part: every score's link on its own line, for clients that show no HTML. */
import type { InvitationView } from './view.ts';

export function invitationText(view: InvitationView): string {
  const last = view.scores.length - 1;
  const scoreLines = view.scores.map((s, i) => {
    const end = i === 0 ? view.lowLabel : i === last ? view.highLabel : undefined;
    return `${s.score}${end ? ` (${end})` : ''}: ${s.url}`;
  });
  return [
    view.greeting,
    '',
    view.intro,
    '',
    view.question,
    '',
    view.textScores,
    ...scoreLines,
    '',
    // "-- " (with the space) is the signature separator many clients recognise and dim.
    '-- ',
    view.footerReason,
    `${view.unsubscribeLead} ${view.unsubscribeText}: ${view.unsubscribeUrl}`,
    '',
  ].join('\n');
}
