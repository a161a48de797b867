import type { Channel } from '#shared/channels.ts';
import { profileCountry, toE164 } from '#shared/delivery/phone.ts';
import { reservedTraitProblem } from '#shared/ingest/reserved-traits.ts';
import type { Profile } from '#shared/profile/profile.ts';

/** The most a push token holds, as the profile keeps one (`context.device.token`). */
const MAX_TOKEN_BYTES = 1024;

const NO_COUNTRY =
  'a number without a country code is read in the country of a customer, and none was named: give the number with its +country code, or pass --customer';

/**
 * The address `send-test --to` names, as a journey step would send to it, or
 * why the channel cannot take it: an SMS number is read in E.164, a local
 * number in the customer's country (`--customer`) as a send reads it, so a
 * test never goes where a real message could not.
 */
export function testAddress(
  channel: Channel,
  to: string,
  profile: Profile,
  /** The customer `--customer` named, whose profile this is; undefined: an empty profile stands in. */
  customer?: string,
): { ok: true; to: string } | { ok: false; reason: string } {
  if (channel === 'email') {
    const problem = reservedTraitProblem('email', to) ?? (to === '' ? 'must be an email address' : undefined);
    return problem === undefined ? { ok: true, to } : { ok: false, reason: problem };
  }
  if (channel === 'sms') {
    const problem = reservedTraitProblem('phone', to) ?? (to === '' ? 'must be a phone number' : undefined);
    if (problem !== undefined) return { ok: false, reason: problem };
    const country = profileCountry(profile);
    const phone = toE164(to, country);
    if (phone.ok) return { ok: true, to: phone.e164 };
    // The send's reason speaks of a profile: with no customer named, say what the command needs instead.
    if (country === undefined && customer === undefined && !to.trim().startsWith('+'))
      return { ok: false, reason: NO_COUNTRY };
    return { ok: false, reason: phone.reason };
  }
  if (to.trim() === '') return { ok: false, reason: 'a push token cannot be empty' };
  if (Buffer.byteLength(to, 'utf8') > MAX_TOKEN_BYTES)
    return { ok: false, reason: `a push token holds at most ${MAX_TOKEN_BYTES} bytes` };
  return { ok: true, to };
}
