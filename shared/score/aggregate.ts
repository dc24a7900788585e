/**
 * The aggregates: counters per survey (`ALL`), per wave (`W#id`), per day of first answer (`D#date`),
 * per reported property (`P#name`: every answer carrying it) and per value of it (`P#name#value`).
 * Each holds `responses`, `sum` and `d<score>`; a value's item also holds the value itself and its
 * group in the `segmentsByResponses` index, so a breakdown reads its most answered values only.
 */
import { sha256Hex } from '../ids.ts';
import type { Invitation } from '../invitation/schema.ts';
import type { Counts } from '../scoring.ts';

/** The index of value items by their answer count, one partition per survey and property. */
export const segmentsIndex = 'segmentsByResponses';

/**
 * A value's part of a sort key, at most 1024 bytes in all: the value itself up to 256 bytes (the
 * property name is at most 64), beyond that a readable start of it and its SHA-256. A short value
 * that looks like a hashed one is hashed too, so no two values ever share a key.
 */
export const maxValueKeyBytes = 256;
const hashedStartBytes = 64;
const hashedForm = /#sha256:[0-9a-f]{64}$/;

export function valueKeyPart(value: string): string {
  if (Buffer.byteLength(value) <= maxValueKeyBytes && !hashedForm.test(value)) return value;
  return `${utf8Start(value, hashedStartBytes)}#sha256:${sha256Hex(value)}`;
}

/** The longest start of `text` within `bytes` UTF-8 bytes, never splitting a character. */
function utf8Start(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    used += Buffer.byteLength(char);
    if (used > bytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

export const propertyKey = (name: string): string => `P#${name}`;
export const valueKey = (name: string, value: string): string => `P#${name}#${valueKeyPart(value)}`;
export const segmentGroup = (surveyId: string, name: string): string => `${surveyId}#${name}`;

/** One aggregate an answer counts in, with what its item says besides the counts. */
export interface AggregateTarget {
  key: string;
  attributes?: Record<string, string>;
}

export const aggregateKeys = (inv: Invitation): AggregateTarget[] => {
  const targets: AggregateTarget[] = [{ key: 'ALL' }, { key: `W#${inv.waveId}` }];
  if (inv.firstRespondedAt) targets.push({ key: `D#${inv.firstRespondedAt.slice(0, 10)}` });
  for (const [name, value] of Object.entries(inv.reportProps ?? {})) {
    targets.push({ key: propertyKey(name) });
    targets.push({
      key: valueKey(name, value),
      attributes: { value, segmentGroup: segmentGroup(inv.surveyId, name) },
    });
  }
  return targets;
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
