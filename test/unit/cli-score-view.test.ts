/**
 * How `npswave score` shows a score: the headline figures and the colours of the distribution.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { headline, renderScore, scoreAnswer } from '../../cli/score-view.ts';
import { painter } from '../../cli/terminal.ts';

const parse = (raw: unknown) => v.parse(scoreAnswer, raw);
const green = '\u001b[32m';
const yellow = '\u001b[33m';
const red = '\u001b[31m';
/** The chart row of a score, e.g. rowOf(out, ' 7') for the row of 7s. */
const rowOf = (out: string, label: string): string =>
  out.split('\n').find((l) => l.startsWith(`${label} │`)) ?? '';

describe('headline', () => {
  it('shows NPS with margin and n, and a dash before any response', () => {
    const nps = parse({ kind: 'nps', responses: 120, nps: 42, marginOfError: 9.8 });
    expect(headline('nps', nps)).toBe('NPS 42 ±9.8 (n=120)');
    expect(headline('nps', parse({ kind: 'nps', responses: 0, nps: null }))).toBe('NPS – (n=0)');
  });

  it('shows CSAT mean and satisfied share, CES mean', () => {
    expect(
      headline('csat', parse({ kind: 'csat', responses: 3, mean: 4.333333, satisfiedShare: 2 / 3 })),
    ).toBe('CSAT 4.33 mean, 66.7% satisfied (n=3)');
    expect(headline('ces', parse({ kind: 'ces', responses: 1500, mean: 5.25 }))).toBe(
      'CES 5.25 mean (n=1,500)',
    );
  });
});

describe('renderScore', () => {
  it('colours the distribution by segment when colour is on, and not otherwise', () => {
    const score = parse({ kind: 'nps', responses: 3, distribution: { '10': 1, '7': 1, '0': 1 }, nps: 0 });
    const coloured = renderScore(score, painter(true));
    expect(rowOf(coloured, '10').startsWith(`10 │${green}█`)).toBe(true);
    expect(rowOf(coloured, ' 7').startsWith(` 7 │${yellow}█`)).toBe(true);
    expect(rowOf(coloured, ' 0').startsWith(` 0 │${red}█`)).toBe(true);
    expect(renderScore(score, painter(false))).not.toContain('\u001b[');
  });

  it('charts a CSAT scale from the answer, low to high segments', () => {
    const score = parse({
      kind: 'csat',
      scale: { min: 1, max: 3 },
      responses: 2,
      distribution: { '3': 1, '1': 1 },
      mean: 2,
    });
    const out = renderScore(score, painter(true));
    expect(rowOf(out, '3').startsWith(`3 │${green}`)).toBe(true);
    expect(rowOf(out, '2')).toMatch(/^2 │ +0 +0\.0%$/);
    expect(rowOf(out, '1').startsWith(`1 │${red}`)).toBe(true);
    expect(out).not.toMatch(/^4 │/m);
  });

  it('takes a CSAT scale without a `scale` field from the distribution the server lists', () => {
    const score = parse({ kind: 'csat', responses: 1, distribution: { '1': 0, '2': 0, '3': 1 }, mean: 3 });
    const out = renderScore(score, painter(true));
    expect(rowOf(out, '3').startsWith(`3 │${green}`)).toBe(true); // top box of 1–3, not neutral of 1–5
    expect(rowOf(out, '4')).toBe('');
  });

  it('says so when there are no responses yet', () => {
    expect(renderScore(parse({ kind: 'nps', responses: 0, nps: null }), painter(false))).toContain(
      'No responses yet.',
    );
  });
});
