import { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { sendEmail } from '#functions/send-message/email.ts';
import { testAddress } from '#infra/cli/test-address.ts';
import { mailboxProblem, parseMailbox } from '#shared/delivery/mailbox.ts';
import { DeliveryFailedError } from '#shared/errors.ts';
import { reservedTraitProblem } from '#shared/ingest/reserved-traits.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/** RFC 5321: a local part holds at most 64 octets, a path 256 with its brackets: an address at most 254. */
const local64 = 'a'.repeat(64);
const local65 = 'a'.repeat(65);
/** A domain of labels of 63 characters, `length` long in all. */
const domainOf = (length: number) => {
  const labels: string[] = [];
  let left = length - '.example'.length;
  while (left > 0) {
    const label = Math.min(63, left - (labels.length > 0 ? 1 : 0));
    labels.push('d'.repeat(Math.max(1, label)));
    left -= label + (labels.length > 1 ? 1 : 0);
  }
  return `${labels.join('.')}.example`;
};

describe('address lengths (RFC 5321)', () => {
  it('takes a local part of 64 and an address of 254', () => {
    const address = `${local64}@${domainOf(254 - 65)}`;
    expect(address.length).toBe(254);
    expect(mailboxProblem(address)).toBeUndefined();
    expect(parseMailbox(address)?.address).toBe(address);
    expect(reservedTraitProblem('email', address)).toBeUndefined();
  });

  it('refuses a local part of 65, with the reason', () => {
    const address = `${local65}@shop.example`;
    expect(mailboxProblem(address)).toMatch(/64/);
    expect(parseMailbox(address)).toBeUndefined();
    expect(reservedTraitProblem('email', address)).toMatch(/64/);
    expect(testAddress('email', address, { userId: 'u', traits: {}, consent: {}, events: {} })).toEqual({
      ok: false,
      reason: expect.stringMatching(/at most 64/),
    });
  });

  it('refuses an address over 254, counted with its domain in Punycode, with the reason', () => {
    const ascii = `${local64}@${domainOf(255 - 65)}`;
    expect(ascii.length).toBe(255);
    expect(mailboxProblem(ascii)).toMatch(/254/);
    expect(reservedTraitProblem('email', ascii)).toMatch(/254/);
    // Six labels of 15 ideographs: 168 characters as written, over 254 once in Punycode
    const label = (from: number) =>
      Array.from({ length: 15 }, (_, i) => String.fromCodePoint(0x4e00 + from + i * 37)).join('');
    const unicode = `${local64}@${[0, 1000, 2000, 3000, 4000, 5000].map(label).join('.')}.example`;
    expect(unicode.length).toBeLessThan(254);
    expect(mailboxProblem(unicode)).toMatch(/254/);
  });

  it('refuses a sender or reply-to over the limits in a journey, naming the field', () => {
    const journey = {
      id: 'long-sender',
      name: 'Long sender',
      trigger: { type: 'event', event: 'Signed Up' },
      start: 'hello',
      steps: {
        hello: { type: 'email', template: 'welcome', from: `Shop <${local65}@shop.example>`, next: 'done' },
        done: { type: 'exit' },
      },
    };
    const result = validateJourney(journey, { templates: new Map([['welcome', 'email']]) });
    expect(result.ok ? [] : result.violations.map((v) => [v.path, v.message])).toEqual([
      ['steps.hello.from', expect.stringMatching(/64/)],
    ]);
  });
});

describe('a send to an address over the limits', () => {
  it('fails with the reason, without asking SES', async () => {
    // arrange: an address kept before ingest checked lengths; SES stands in as a client that records the call
    const asked: unknown[] = [];
    const ses = new SESv2Client({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    ses.middlewareStack.add(
      () => async (args) => {
        asked.push(args.input);
        return { output: { MessageId: 'm-1', $metadata: {} }, response: {} };
      },
      { step: 'initialize' },
    );
    const request = {
      from: 'news@shop.example',
      to: `${local65}@shop.example`,
      configurationSet: 'journeys',
      content: { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' },
      tags: { journey: 'j', step: 's' },
    };
    // act
    const sent = sendEmail(ses, request);
    // assert
    await expect(sent).rejects.toThrow(DeliveryFailedError);
    await expect(sent).rejects.toThrow(/local part .* 65 characters; at most 64/);
    expect(asked).toEqual([]);
    expect(await sendEmail(ses, { ...request, to: `${local64}@shop.example` })).toBe('m-1');
  });
});
