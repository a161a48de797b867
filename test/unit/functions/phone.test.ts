import { describe, expect, it } from 'vitest';
import { deliverable, profileCountry, toE164 } from '#shared/delivery/phone.ts';
import { Profile } from '#shared/profile/profile.ts';

const profile = (fields: Record<string, unknown>) => Profile.parse({ userId: 'u', ...fields });

describe('E.164 phone numbers', () => {
  it.each([
    { raw: '0412 345 678', country: 'AU', e164: '+61412345678' },
    { raw: '+61 412 345 678', country: undefined, e164: '+61412345678' },
    { raw: '(415) 555-2671', country: 'US', e164: '+14155552671' },
    { raw: '07911 123456', country: 'GB', e164: '+447911123456' },
    { raw: '+44 7911 123456', country: 'AU', e164: '+447911123456' },
    { raw: '333 123 4567', country: 'IT', e164: '+393331234567' },
  ] as const)('reads $raw in $country as $e164', ({ raw, country, e164 }) => {
    expect(toE164(raw, country)).toStrictEqual({ ok: true, e164 });
  });

  it.each([
    { raw: '0412 345 678', country: undefined },
    { raw: 'call me maybe', country: 'AU' },
    { raw: '12', country: 'US' },
  ] as const)('refuses $raw ($country) with a reason that names no digits', ({ raw, country }) => {
    const result = toE164(raw, country);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toMatch(/\d{3}/);
  });

  it.each([
    { fields: { traits: { country: 'au' } }, country: 'AU' },
    { fields: { traits: { address: { country: 'NZ' } } }, country: 'NZ' },
    { fields: { locale: 'en-GB' }, country: 'GB' },
    { fields: { locale: 'pt_BR' }, country: 'BR' },
    { fields: { traits: { country: 'Atlantis' }, locale: 'fr-FR' }, country: 'FR' },
    { fields: { locale: 'en' }, country: undefined },
  ])('takes the country from the profile: $fields → $country', ({ fields, country }) => {
    expect(profileCountry(profile(fields))).toBe(country);
  });

  it('gives send-message the number in E.164, or a suppression reason', () => {
    const local = profile({ phone: '0412 345 678', locale: 'en-AU' });
    expect(deliverable({ channel: 'sms', phone: '0412 345 678' }, local)).toStrictEqual({
      ok: true,
      address: { channel: 'sms', phone: '+61412345678' },
    });
    const unknown = profile({ phone: '0412 345 678' });
    expect(deliverable({ channel: 'sms', phone: '0412 345 678' }, unknown).ok).toBe(false);
    const email = { channel: 'email' as const, email: 'a@example.com' };
    expect(deliverable(email, unknown)).toStrictEqual({ ok: true, address: email });
  });
});
