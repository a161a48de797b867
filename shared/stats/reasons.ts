/**
 * Send outcomes carry free-text reasons (some include a provider's words);
 * counters keep only a bounded code, so the set of counters cannot grow with
 * what customers or providers write.
 */

export const REASON_CODES = [
  'consent',
  'noAddress',
  'invalidAddress',
  'outcomeUnknown',
  'quietHours',
  'frequencyCap',
  'throttled',
  'tooLarge',
  'other',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

const LABELS: Readonly<Record<ReasonCode, string>> = {
  consent: 'no consent (opted out, unsubscribed, suppressed)',
  noAddress: 'no address on the profile',
  invalidAddress: 'address not usable (not a possible phone number)',
  outcomeUnknown: 'an earlier attempt may have been delivered',
  quietHours: 'quiet hours',
  frequencyCap: 'frequency cap',
  throttled: 'the provider throttled sends past their retries',
  tooLarge: 'too large for the execution state',
  other: 'other',
};

/** The code of a suppression or deferral reason. */
export function reasonCode(status: 'suppressed' | 'deferred', reason: string | undefined): ReasonCode {
  const text = (reason ?? '').toLowerCase();
  if (status === 'deferred') {
    if (text.includes('quiet')) return 'quietHours';
    if (text.includes('cap')) return 'frequencyCap';
    if (text.includes('throttled')) return 'throttled';
    return 'other';
  }
  if (/^(email|sms|push) suppressed|^unsubscribed/.test(text)) return 'consent';
  if (text.includes('address')) return 'noAddress';
  // shared/delivery/phone.ts: a number that cannot be one (too short, no country to read it in).
  if (text.startsWith('the phone number')) return 'invalidAddress';
  if (text.includes('previous attempt')) return 'outcomeUnknown';
  return 'other';
}

/** What a marketer reads for a reason code. */
export function reasonLabel(code: string): string {
  const known = REASON_CODES.find((c) => c === code);
  return known === undefined ? code : LABELS[known];
}
