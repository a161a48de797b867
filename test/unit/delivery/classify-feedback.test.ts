import { describe, expect, it } from 'vitest';
import { classifyFeedback } from '#shared/delivery/feedback.ts';

/**
 * Which of the three feedback shapes an event is read as: SES first, then an
 * End User Messaging SMS event, then the Pinpoint event stream. An event that
 * fails one shape is still read as the next, whatever members of the others
 * it carries.
 */

const ses = (eventType: string, extra: Record<string, unknown> = {}) => ({
  eventType,
  mail: { messageId: 'ses-1', tags: { journey: ['j'] }, headers: [{ name: 'To', value: 'a@example.com' }] },
  ...extra,
});

describe('classifyFeedback', () => {
  it('reads SES events, their bounce and complaint', () => {
    // act + assert
    expect(classifyFeedback(ses('Open'))).toEqual({
      messageId: 'ses-1',
      channel: 'email',
      outcome: 'opened',
      fromJourney: true,
    });
    expect(classifyFeedback(ses('Bounce', { bounce: { bounceType: 'Permanent' } }))).toMatchObject({
      outcome: 'bounced',
      suppress: 'hard bounce',
    });
    expect(classifyFeedback(ses('Complaint', { complaint: {} }))).toMatchObject({ suppress: 'complaint' });
  });

  it('reads an SMS event, also beside a mail member that is not an SES record', () => {
    // arrange
    const sms = { eventType: 'TEXT_DELIVERED', messageId: 'sms-1', context: { journeyId: 'j' } };
    const expected = { messageId: 'sms-1', channel: 'sms', outcome: 'delivered', fromJourney: true };
    // act + assert
    expect(classifyFeedback(sms)).toEqual(expected);
    expect(classifyFeedback({ ...sms, mail: {} })).toEqual(expected);
    expect(classifyFeedback({ ...sms, mail: null })).toEqual(expected);
  });

  it('reads a Pinpoint event-stream record, also beside SES or SMS members of the wrong shape', () => {
    // arrange
    const record = {
      event_type: '_SMS.FAILURE',
      attributes: { message_id: 'pp-1', record_status: 'INVALID' },
    };
    const expected = {
      messageId: 'pp-1',
      channel: 'sms',
      outcome: 'failed',
      fromJourney: false,
      suppress: 'invalid phone number',
    };
    // act + assert
    expect(classifyFeedback(record)).toEqual(expected);
    expect(classifyFeedback({ ...record, mail: 'ses-1' })).toEqual(expected);
    expect(classifyFeedback({ ...record, eventType: 'TEXT_DELIVERED' })).toEqual(expected);
    expect(classifyFeedback({ ...record, eventType: 'Delivery', mail: {} })).toEqual(expected);
  });

  it('reads an SES record whose event type starts as an SMS event type does as SES', () => {
    // act
    const feedback = classifyFeedback(ses('TEXT_DELIVERED', { messageId: 'sms-1' }));
    // assert: SES knows no such event type, which changes nothing
    expect(feedback).toBeUndefined();
  });

  it('changes nothing for what is no feedback', () => {
    // act + assert
    for (const detail of [undefined, null, 'Open', 42, [], {}, { eventType: 'Open' }, { mail: {} }])
      expect(classifyFeedback(detail)).toBeUndefined();
  });
});
