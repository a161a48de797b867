import { describe, expect, it } from 'vitest';
import { toE164 } from '#shared/delivery/phone.ts';
import { reasonCode, reasonLabel } from '#shared/stats/reasons.ts';

/** The reason a phone number is refused, as send-message gives it. */
function refused(raw: string, country?: 'IT'): string {
  const phone = toE164(raw, country);
  if (phone.ok) throw new Error(`${raw} is a possible number`);
  return phone.reason;
}

describe('reasonCode', () => {
  it.each([
    { reason: 'email suppressed: hard bounce', code: 'consent' },
    { reason: 'unsubscribed from sms', code: 'consent' },
    { reason: 'unsubscribed from topic newsletter', code: 'consent' },
    { reason: 'no sms address on the profile', code: 'noAddress' },
    { reason: refused('+1 23'), code: 'invalidAddress' },
    { reason: refused('12'), code: 'invalidAddress' },
    { reason: refused('12', 'IT'), code: 'invalidAddress' },
  ])('counts a suppression "$reason" as $code', ({ reason, code }) => {
    expect(reasonCode('suppressed', reason)).toBe(code);
  });

  it('names a phone number the send could not use as such, not as "other"', () => {
    expect(reasonLabel(reasonCode('suppressed', refused('12', 'IT')))).toBe(
      'address not usable (not a possible phone number)',
    );
  });
});
