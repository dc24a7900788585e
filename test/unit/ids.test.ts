import { describe, expect, it } from 'vitest';
import {
  contactIdFor,
  invitationToken,
  isWellFormedToken,
  newId,
  newWaveSecret,
  randomToken,
  surveyIdOfToken,
} from '../../shared/ids.ts';

describe('ids and tokens', () => {
  it('derives one contact id per email, whatever its case', () => {
    expect(contactIdFor(' Ann@Example.TEST ')).toBe(contactIdFor('ann@example.test'));
    expect(contactIdFor('ann@example.test')).not.toBe(contactIdFor('bob@example.test'));
  });

  it('makes the same token for the same wave and contact, another for another wave', () => {
    const survey = newId('s');
    const secret = newWaveSecret();
    const token = invitationToken(survey, secret, 'c_1');
    expect(invitationToken(survey, secret, 'c_1')).toBe(token);
    expect(invitationToken(survey, newWaveSecret(), 'c_1')).not.toBe(token);
    expect(isWellFormedToken(token)).toBe(true);
    expect(surveyIdOfToken(token)).toBe(survey);
  });

  it('tokens carry at least 128 unguessable bits and are URL-safe', () => {
    const token = randomToken(newId('s'));
    const secretPart = token.split('.')[1] ?? '';
    expect(secretPart.length * 6).toBeGreaterThanOrEqual(128);
    expect(encodeURIComponent(token)).toBe(token);
    const many = new Set(Array.from({ length: 1000 }, () => randomToken('s_aaaaaaaaaaaaaaaa')));
    expect(many.size).toBe(1000);
  });

  it('refuses malformed tokens', () => {
    for (const bad of [
      '',
      'x',
      '../etc/passwd',
      's_aaaaaaaaaaaaaaaa.short',
      `s_AAAAAAAAAAAAAAAA.${'a'.repeat(24)}`,
    ]) {
      expect(isWellFormedToken(bad)).toBe(false);
    }
  });
});
