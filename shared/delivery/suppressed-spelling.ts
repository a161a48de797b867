import type { ProfileState } from '../profile/state.ts';
import { type Address, addressKeys } from './policy.ts';

/**
 * Why the address a message goes to is suppressed when the profile spells it
 * otherwise than the suppression recorded it (a number written in its national
 * form, `(555) 900-0001`, after `+15559000001` was reported invalid; a
 * suppression an earlier release keyed under the national form of a number the
 * profile now holds in E.164): compared as the provider is given it, and as
 * each of its `spellings` (phoneSpellings, asked only when a suppression
 * of another spelling is there) reads. Undefined when nothing stops it.
 * Send-message and the unsubscribe page judge a suppression with it alike.
 */
export async function suppressedAsDelivered(
  state: ProfileState,
  address: Address | undefined,
  spellings: (phone: string) => Promise<readonly string[]> = async () => [],
): Promise<string | undefined> {
  if (address === undefined) return undefined;
  const suppression = state.otherSpellingSuppressions?.[address.channel];
  if (suppression === undefined) return undefined;
  const keys =
    address.channel === 'sms'
      ? [address.phone, ...(await spellings(address.phone))].flatMap((phone) =>
          addressKeys({ channel: 'sms', phone }),
        )
      : addressKeys(address);
  return keys.includes(suppression.address)
    ? `${address.channel} suppressed: ${suppression.reason}`
    : undefined;
}
