/**
 * Aggregate keys of reported property values: any value, however long, gets a sort key DynamoDB
 * accepts (at most 1,024 bytes), one of its own, the same every time.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { maxValueKeyBytes, valueKey, valueKeyPart } from '../../shared/score/aggregate.ts';
import { subtractCounts } from '../../shared/scoring.ts';

const bytes = (text: string) => Buffer.byteLength(text);
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const longestName = 'p'.repeat(64);

describe('the key of a property value', () => {
  it('is the value itself up to the bound', () => {
    const atBound = 'a'.repeat(maxValueKeyBytes);
    expect(valueKey('plan', 'pro')).toBe('P#plan#pro');
    expect(valueKeyPart(atBound)).toBe(atBound);
    expect(valueKeyPart('a#b')).toBe('a#b');
  });

  it('is a readable start and the SHA-256 of a longer value, within a sort key', () => {
    for (const value of [
      'a'.repeat(maxValueKeyBytes + 1),
      'é'.repeat(1000),
      '😀'.repeat(5000),
      `${'x'.repeat(63)}é${'y'.repeat(900)}`,
    ]) {
      const part = valueKeyPart(value);
      expect(part).toMatch(new RegExp(`#sha256:${sha(value)}$`));
      const start = part.slice(0, part.length - '#sha256:'.length - 64);
      // The start is whole characters of the value, at most 64 bytes of it.
      expect(value.startsWith(start)).toBe(true);
      expect(bytes(start)).toBeLessThanOrEqual(64);
      expect(bytes(start)).toBeGreaterThan(60);
      // No character cut in half: a high surrogate never ends it.
      expect(start).not.toMatch(/[\uD800-\uDBFF]$/);
      expect(bytes(valueKey(longestName, value))).toBeLessThanOrEqual(1024);
      expect(valueKeyPart(value)).toBe(part);
    }
  });

  it('tells apart long values that share their start', () => {
    const a = `${'é'.repeat(999)}a`;
    const b = `${'é'.repeat(999)}b`;
    expect(valueKeyPart(a)).not.toBe(valueKeyPart(b));
  });

  it('hashes a short value that looks like a hashed one, so no two values share a key', () => {
    const long = 'z'.repeat(500);
    const lookalike = valueKeyPart(long);
    expect(bytes(lookalike)).toBeLessThanOrEqual(maxValueKeyBytes);
    expect(valueKeyPart(lookalike)).not.toBe(lookalike);
    expect(valueKeyPart(lookalike)).toMatch(new RegExp(`#sha256:${sha(lookalike)}$`));
  });

  it('keeps every value of the largest allowed key within 1,024 bytes', () => {
    const worst = '\u{10FFFF}'.repeat(maxValueKeyBytes / 4);
    expect(valueKeyPart(worst)).toBe(worst);
    expect(bytes(valueKey(longestName, worst))).toBeLessThanOrEqual(1024);
  });
});

describe('the remainder of counts', () => {
  it('takes a part away, score by score, and drops scores left at zero', () => {
    const all = { responses: 5, sum: 31, distribution: { 3: 1, 7: 2, 10: 2 } };
    const part = { responses: 3, sum: 24, distribution: { 7: 1, 10: 1 } };
    expect(subtractCounts(all, part)).toEqual({ responses: 2, sum: 7, distribution: { 3: 1, 7: 1, 10: 1 } });
    expect(subtractCounts(all, all)).toEqual({ responses: 0, sum: 0, distribution: {} });
  });
});
