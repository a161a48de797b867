import { describe, expect, it } from 'vitest';
import type { Channel } from '#shared/channels.ts';
import { type Cap, checkCaps } from '#shared/delivery/policy.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * A frequency cap a journey may declare is one the delivery policy enforces:
 * a customer messaged again and again gets exactly `max` messages in the
 * window, whatever `max` the file gives, or the file is refused. The profile
 * keeps a bounded number of recent sends per channel, so a cap above it
 * would count no further and never defer anything.
 */

const withCaps = (caps: unknown[]) => ({
  id: 'capped',
  name: 'Capped',
  trigger: { type: 'event', event: 'Signed Up' },
  settings: { caps },
  start: 'done',
  steps: { done: { type: 'exit' } },
});

/** Messages sent on `channel` one minute apart until the caps defer one (or `limit` are sent). */
function sentBeforeDeferral(caps: readonly Cap[], channel: Channel, limit: number): number {
  let sends: Record<Channel, string[]> = { email: [], sms: [], push: [] };
  let keptDays = 0;
  const start = Date.parse('2026-03-02T09:00:00Z');
  for (let sent = 0; sent < limit; sent++) {
    const check = checkCaps(sends, caps, channel, new Date(start + sent * 60_000), keptDays);
    if (!check.allowed) return sent;
    sends = { ...sends, ...check.next };
    keptDays = check.keptDays;
  }
  return limit;
}

describe('a frequency cap', () => {
  const cases = [1, 3, 150, 200, 201, 250, 1000].flatMap((max) =>
    [undefined, 'email' as const].map((channel) => ({ max, channel })),
  );

  it.each(cases)(
    'of $max ($channel) is enforced at $max sends, or refused by validation',
    ({ max, channel }) => {
      const cap = { ...(channel === undefined ? {} : { channel }), max, within: 'P30D' };
      const result = validateJourney(withCaps([cap]));
      if (!result.ok) {
        expect(result.violations.map((v) => v.path)).toStrictEqual(['settings.caps[0].max']);
        return;
      }
      expect(sentBeforeDeferral([cap], 'email', max + 5)).toBe(max);
    },
  );

  it('names the most a cap may count, and the value given', () => {
    const result = validateJourney(withCaps([{ max: 500, within: 'P366D' }]));
    expect(result.ok ? [] : result.violations.map((v) => [v.path, v.message])).toStrictEqual([
      ['settings.caps[0].max', 'must be at most 200, got the number 500'],
    ]);
  });
});
