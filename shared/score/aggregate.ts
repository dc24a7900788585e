/**
 * The aggregates: counters per survey (`ALL`), per wave (`W#id`), per day of first answer (`D#date`)
 * and per reported property value (`P#name#value`). Each holds `responses`, `sum` and `d<score>`.
 */
import type { Invitation } from '../invitation/schema.ts';
import type { Counts } from '../scoring.ts';

export const aggregateKeys = (inv: Invitation): string[] => {
  const keys = ['ALL', `W#${inv.waveId}`];
  if (inv.firstRespondedAt) keys.push(`D#${inv.firstRespondedAt.slice(0, 10)}`);
  for (const [name, value] of Object.entries(inv.reportProps ?? {})) keys.push(`P#${name}#${value}`);
  return keys;
};

/** The change one invitation's answer makes to every aggregate it counts in. */
export function answerDelta(countedScore: number | undefined, score: number): Record<string, number> {
  if (countedScore === undefined) return { responses: 1, sum: score, [`d${score}`]: 1 };
  if (countedScore === score) return {};
  return { sum: score - countedScore, [`d${countedScore}`]: -1, [`d${score}`]: 1 };
}

export function countsFromItem(item: Record<string, unknown> | undefined): Counts {
  const counts: Counts = { responses: 0, sum: 0, distribution: {} };
  if (!item) return counts;
  counts.responses = Number(item.responses ?? 0);
  counts.sum = Number(item.sum ?? 0);
  for (const [name, value] of Object.entries(item)) {
    const match = /^d(\d+)$/.exec(name);
    if (match && Number(value) !== 0) counts.distribution[Number(match[1])] = Number(value);
  }
  return counts;
}
