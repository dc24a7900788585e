import { describe, expect, it } from 'vitest';
import { matchesAudience, matchesCriterion } from '../../shared/audience/criteria.ts';
import { inPercentSample, sampleRank } from '../../shared/audience/sample.ts';
import type { Contact } from '../../shared/contact/schema.ts';

const now = Date.parse('2026-11-22T12:00:00Z');
const contact = (over: Partial<Contact> = {}): Contact => ({
  id: 'c_1',
  email: 'ann@customer.test',
  properties: { plan: 'Pro', role: 'contact person', seats: 12 },
  status: 'subscribed',
  feedback: {},
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  customerSince: '2026-10-01',
  ...over,
});

describe('audience criteria', () => {
  it('olderThanDays compares dates with the clock', () => {
    expect(matchesCriterion(contact(), { field: 'customerSince', olderThanDays: 30 }, now)).toBe(true);
    expect(matchesCriterion(contact(), { field: 'customerSince', olderThanDays: 60 }, now)).toBe(false);
    expect(
      matchesCriterion(
        contact({ customerSince: undefined }),
        { field: 'customerSince', olderThanDays: 1 },
        now,
      ),
    ).toBe(false);
  });

  it('in / notIn / equals on properties, case-insensitive for text', () => {
    expect(matchesCriterion(contact(), { field: 'properties.plan', in: ['pro', 'enterprise'] }, now)).toBe(
      true,
    );
    expect(matchesCriterion(contact(), { field: 'properties.plan', notIn: ['pro'] }, now)).toBe(false);
    expect(matchesCriterion(contact(), { field: 'properties.role', equals: 'Contact Person' }, now)).toBe(
      true,
    );
    expect(matchesCriterion(contact(), { field: 'properties.seats', equals: 12 }, now)).toBe(true);
    expect(matchesCriterion(contact(), { field: 'properties.missing', notIn: ['x'] }, now)).toBe(true);
  });

  it('endsWith / notEndsWith exclude the team’s own domain', () => {
    expect(matchesCriterion(contact(), { field: 'email', notEndsWith: '@acme.test' }, now)).toBe(true);
    expect(
      matchesCriterion(
        contact({ email: 'me@ACME.test' }),
        { field: 'email', notEndsWith: '@acme.test' },
        now,
      ),
    ).toBe(false);
    expect(matchesCriterion(contact(), { field: 'email', endsWith: '@customer.test' }, now)).toBe(true);
  });

  it('exists', () => {
    expect(matchesCriterion(contact(), { field: 'properties.plan', exists: true }, now)).toBe(true);
    expect(matchesCriterion(contact(), { field: 'name', exists: true }, now)).toBe(false);
    expect(matchesCriterion(contact(), { field: 'name', exists: false }, now)).toBe(true);
  });

  it('all criteria must hold', () => {
    const where = [
      { field: 'customerSince', olderThanDays: 30 },
      { field: 'email', notEndsWith: '@acme.test' },
      { field: 'properties.plan', in: ['pro'] },
    ];
    expect(matchesAudience(contact(), where, now)).toBe(true);
    expect(matchesAudience(contact({ properties: { plan: 'free' } }), where, now)).toBe(false);
    expect(matchesAudience(contact(), undefined, now)).toBe(true);
  });
});

describe('sampling', () => {
  it('is fixed by seed and contact', () => {
    expect(sampleRank('seed', 'c_1')).toBe(sampleRank('seed', 'c_1'));
    expect(sampleRank('seed', 'c_1')).not.toBe(sampleRank('other', 'c_1'));
  });

  it('picks close to the asked share of a large base', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `c_${i}`);
    const picked = ids.filter((id) => inPercentSample('wave-seed', id, 25)).length;
    expect(picked).toBeGreaterThan(2300);
    expect(picked).toBeLessThan(2700);
    expect(ids.filter((id) => inPercentSample('wave-seed', id, 100)).length).toBe(10_000);
  });
});
