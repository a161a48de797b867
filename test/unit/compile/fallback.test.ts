import { describe, expect, it } from 'vitest';
import { fallbackChain } from '#shared/journey/compile/fallback.ts';
import { Step } from '#shared/journey/schema.ts';

/** A message step as the language parses it (defaults filled in), with a fallback chain. */
function messageWithFallbacks(step: Record<string, unknown>) {
  const parsed = Step.parse({ ...step, next: 'done' });
  if (!('fallback' in parsed) || parsed.fallback === undefined)
    throw new Error('not a message with fallback');
  return { ...parsed, fallback: parsed.fallback };
}

const CHAIN = [
  { channel: 'sms', template: 'receipt-sms', when: 'notDelivered', within: 'PT1H' },
  { channel: 'email', template: 'receipt-email', when: 'notDelivered', within: 'PT1H' },
];

describe('fallback messages carry the class of the message they stand in for', () => {
  it.each([
    { first: { type: 'email', transactional: true }, sms: 'TRANSACTIONAL', email: true },
    { first: { type: 'email', transactional: false }, sms: 'PROMOTIONAL', email: false },
    { first: { type: 'email' }, sms: 'PROMOTIONAL', email: false },
  ])('after an email $first.transactional', ({ first, sms, email }) => {
    // arrange
    const step = messageWithFallbacks({ ...first, template: 'receipt', fallback: CHAIN });
    // act
    const chain = fallbackChain('receipt', step).map(([, message]) => message);
    // assert
    expect(chain.map((m) => m.type)).toStrictEqual(['email', 'sms', 'email']);
    expect(chain[1]).toMatchObject({ type: 'sms', messageType: sms });
    expect(chain[2]).toMatchObject({ type: 'email', transactional: email });
  });

  it.each([
    { messageType: 'TRANSACTIONAL', sms: 'TRANSACTIONAL' },
    { messageType: 'PROMOTIONAL', sms: 'PROMOTIONAL' },
  ])('after a $messageType SMS; an email never skips marketing consent', ({ messageType, sms }) => {
    // arrange
    const step = messageWithFallbacks({
      type: 'sms',
      messageType,
      template: 'code-sms',
      fallback: [
        { channel: 'email', template: 'code-email', when: 'notDelivered', within: 'PT1H' },
        { channel: 'sms', template: 'code-sms-2', when: 'notDelivered', within: 'PT1H' },
      ],
    });
    // act
    const chain = fallbackChain('code', step).map(([, message]) => message);
    // assert
    expect(chain[1]).toMatchObject({ type: 'email', transactional: false });
    expect(chain[2]).toMatchObject({ type: 'sms', messageType: sms });
  });
});
