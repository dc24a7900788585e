/** Everything an invitation email shows, resolved once, so the HTML and text parts cannot disagree. */
import type { Locale } from '../locales.ts';
import type { Palette } from '../pages/colour.ts';

export interface ScoreLink {
  score: number;
  url: string;
  /** Accessible name, e.g. "7 out of 10". */
  label: string;
}

export interface InvitationView {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  subject: string;
  greeting: string;
  intro: string;
  question: string;
  company: string;
  logoUrl?: string;
  palette: Palette;
  scores: ScoreLink[];
  lowLabel: string;
  highLabel: string;
  textScores: string;
  footerReason: string;
  unsubscribeLead: string;
  unsubscribeText: string;
  unsubscribeUrl: string;
  honeypotUrl: string;
}
