/** The points of a survey's scale and how each is named to assistive technology. */
import { fill, formatNumber } from '../i18n/format.ts';
import { messages } from '../i18n/messages.ts';
import type { Locale } from '../locales.ts';
import type { Scale } from '../scoring.ts';

export const scoresOf = (scale: Scale): number[] =>
  Array.from({ length: scale.max - scale.min + 1 }, (_, i) => scale.min + i);

/** "7 out of 10": the visible "7" alone says nothing about the scale to a screen-reader user. */
export const scoreLabel = (locale: Locale, score: number, scale: Scale): string =>
  fill(messages(locale).scoreAria, {
    score: formatNumber(score, locale),
    max: formatNumber(scale.max, locale),
  });

export const isOnScale = (scale: Scale, score: number | undefined): score is number =>
  score !== undefined && Number.isInteger(score) && score >= scale.min && score <= scale.max;
