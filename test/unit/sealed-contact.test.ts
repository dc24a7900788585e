import { describe, expect, it } from 'vitest';
import { contactIdFor, isContactId, newWaveSecret } from '../../shared/ids.ts';
import { sealContactId, unsealContactId } from '../../shared/invitation/sealed-contact.ts';

describe('the sealed contact id of an anonymous answer', () => {
  const secret = newWaveSecret();
  const contactId = contactIdFor('ann@example.com');

  it('opens with its wave’s secret and names no contact to anyone else', () => {
    const sealed = sealContactId(secret, contactId);
    expect(sealed).toMatch(/^anon_[A-Za-z0-9_-]+$/);
    expect(isContactId(sealed)).toBe(false);
    expect(sealed).not.toContain(contactId.slice(2));
    expect(unsealContactId(secret, sealed)).toBe(contactId);
    expect(unsealContactId(newWaveSecret(), sealed)).toBeUndefined();
  });

  it('is the same for the same contact and wave, so erasure finds it by key', () => {
    expect(sealContactId(secret, contactId)).toBe(sealContactId(secret, contactId));
    expect(sealContactId(secret, contactIdFor('bob@example.com'))).not.toBe(sealContactId(secret, contactId));
    expect(sealContactId(newWaveSecret(), contactId)).not.toBe(sealContactId(secret, contactId));
  });

  it('refuses what it did not make: an old random id, a changed byte, other ids', () => {
    const sealed = sealContactId(secret, contactId);
    const raw = Buffer.from(sealed.slice(5), 'base64url');
    raw[raw.length - 20] = (raw[raw.length - 20] ?? 0) ^ 1;
    expect(unsealContactId(secret, `anon_${raw.toString('base64url')}`)).toBeUndefined();
    expect(unsealContactId(secret, 'anon_0123456789abcdef0123')).toBeUndefined();
    expect(unsealContactId(secret, 'erased_0123456789abcdef0123')).toBeUndefined();
    expect(unsealContactId(secret, contactId)).toBeUndefined();
    expect(unsealContactId(secret, 'anon_')).toBeUndefined();
  });
});
