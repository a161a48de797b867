import { describe, expect, it } from 'vitest';
import { type PushResult, tokenOutcomes } from '#shared/delivery/push-results.ts';

describe('tokenOutcomes', () => {
  it.each<{ name: string; result: PushResult | undefined; expected: object }>([
    {
      name: 'delivered',
      result: { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200 },
      expected: { action: 'keep' },
    },
    {
      name: 'APNs Unregistered (410)',
      result: { DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 410, StatusMessage: 'Unregistered' },
      expected: { action: 'remove', reason: 'unregistered' },
    },
    {
      name: 'FCM v1 UNREGISTERED (404)',
      result: {
        DeliveryStatus: 'PERMANENT_FAILURE',
        StatusCode: 404,
        StatusMessage: 'Requested entity was not found.',
      },
      expected: { action: 'remove', reason: 'unregistered' },
    },
    {
      name: 'GCM NotRegistered',
      result: { DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 200, StatusMessage: 'NotRegistered' },
      expected: { action: 'remove', reason: 'unregistered' },
    },
    {
      name: 'APNs BadDeviceToken',
      result: { DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 400, StatusMessage: 'BadDeviceToken' },
      expected: { action: 'remove', reason: 'invalidToken' },
    },
    {
      name: 'a payload the service refused',
      result: { DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 400, StatusMessage: 'PayloadTooLarge' },
      expected: { action: 'keep' },
    },
    {
      name: 'a temporary failure',
      result: { DeliveryStatus: 'TEMPORARY_FAILURE', StatusCode: 503, StatusMessage: 'Unregistered?' },
      expected: { action: 'keep' },
    },
    {
      name: 'a canonical token from GCM',
      result: { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, UpdatedToken: 'new-token' },
      expected: { action: 'replace', updatedToken: 'new-token' },
    },
    { name: 'no result for the token', result: undefined, expected: { action: 'keep', status: 'NO_RESULT' } },
  ])('$name', ({ result, expected }) => {
    const results: Record<string, PushResult> = result === undefined ? {} : { 'tok-1': result };
    expect(tokenOutcomes(['tok-1'], results)).toEqual([
      expect.objectContaining({ token: 'tok-1', ...expected }),
    ]);
  });

  it('reads a token named like a prototype key as data', () => {
    expect(tokenOutcomes(['constructor'], {})).toEqual([
      { token: 'constructor', status: 'NO_RESULT', action: 'keep' },
    ]);
  });
});
