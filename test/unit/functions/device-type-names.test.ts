import { describe, expect, it } from 'vitest';
import { CustomerEvent } from '#shared/events.ts';
import { profileChanges } from '#shared/profile/changes.ts';

/**
 * A device's `type` is what the app sends: a word the push services do not
 * know registers no token, whatever the word, including the names every
 * JavaScript object answers to.
 */

const withDevice = (type: string) =>
  CustomerEvent.parse({
    type: 'identify',
    userId: 'u',
    messageId: `m-${type}`,
    timestamp: '2026-11-24T10:00:00Z',
    context: { device: { token: 'tok', type } },
  });

describe('profileChanges: the device type', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'windows-phone'])(
    '"%s" registers no push token',
    (type) => {
      expect(profileChanges(withDevice(type), 'u').pushTokens).toStrictEqual([]);
    },
  );

  it.each([
    ['iOS', 'APNS'],
    ['android', 'GCM'],
    ['Amazon-Fire', 'ADM'],
  ])('"%s" registers the token for %s', (type, service) => {
    expect(profileChanges(withDevice(type), 'u').pushTokens).toStrictEqual([{ token: 'tok', service }]);
  });
});
