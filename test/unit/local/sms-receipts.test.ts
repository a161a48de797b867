import { describe, expect, it } from 'vitest';
import { smsReceiptEntry } from '#infra/local/services/pinpoint/sms-receipts.ts';
import { matchesPattern, smsDeliveryPattern } from '#infra/routes.ts';
import { SMS_SENDER_CONTEXT } from '#shared/delivery/sender-context.ts';

/** The event EventBridge matches rules against, from a PutEvents entry. */
function asEvent(entry: ReturnType<typeof smsReceiptEntry>) {
  return { source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) };
}

describe('the local SMS delivery receipt', () => {
  const sent = { journeyId: 'cart', stepId: 'sms', [SMS_SENDER_CONTEXT]: 'journeys-staging-journeys' };

  it('carries the context the message was sent with, as End User Messaging returns it', () => {
    const entry = smsReceiptEntry('m-1', new Date('2026-11-24T10:00:00Z'), undefined, sent);
    expect(JSON.parse(entry.Detail)).toMatchObject({ messageId: 'm-1', context: sent });
  });

  it('reaches only the delivery feedback of the stack whose configuration set sent it', () => {
    const receipt = asEvent(smsReceiptEntry('m-2', new Date('2026-11-24T10:00:00Z'), undefined, sent));
    expect(matchesPattern(smsDeliveryPattern('journeys-staging-journeys'), receipt)).toBe(true);
    expect(matchesPattern(smsDeliveryPattern('journeys-prod-journeys'), receipt)).toBe(false);
  });
});
