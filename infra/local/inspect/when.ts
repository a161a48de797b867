import { DateTime } from 'luxon';

/**
 * A journey-time instant as people read it in a timeline that spans days:
 * weekday, day, month and minute, in the customer's zone (UTC when unknown).
 */
export function formatWhen(iso: string, zone = 'UTC'): string {
  const at = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  return (at.isValid ? at : DateTime.fromISO(iso, { zone: 'utc' })).toFormat('ccc dd LLL HH:mm');
}
