import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { TemplateSnapshots, type TemplateSource } from '#functions/_lib/templates.ts';
import { verifyUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type SendDeps, sendMessage } from '#functions/send-message/send.ts';
import { ErrorName, RETRYABLE_ERRORS } from '#shared/errors.ts';
import { SendMessageInput } from '#shared/tasks/send-message.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import type { Template } from '#shared/templates.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { mockedClient } from '../../support/mocked-clients.ts';
import { type LocalSes, startSes } from '../../support/ses.ts';
import { identify, ingestDeps } from './harness.ts';

const TEMPLATES = new Map<string, Template>([
  [
    'welcome',
    {
      channel: 'email',
      subject: 'Hi {{ profile.firstName }}',
      html: '<p>Hi {{ profile.firstName }}</p>',
      text: 'Hi {{ profile.firstName }}',
    },
  ],
  ['broken', { channel: 'email', subject: 'Hi {{ profile.nickname }}', html: 'x', text: 'x' }],
  ['cart-sms', { channel: 'sms', body: 'Your cart {{ trigger.properties.cartId }} is waiting' }],
  [
    'receipt',
    {
      channel: 'email',
      subject: 'Your receipt',
      html: '<a href="{{ unsubscribeUrl }}">Email preferences</a>',
      text: 'Email preferences: {{ unsubscribeUrl }}',
    },
  ],
  [
    'deep-link',
    {
      channel: 'push',
      title: 'Your cart',
      body: 'Still there',
      url: '{% if trigger.properties.link %}{{ trigger.properties.link }}{% endif %}',
    },
  ],
  [
    'order-context',
    {
      channel: 'email',
      subject: 'Order {{ context.orderId }}: {{ context.score }}/10',
      html: '<p>{{ context.note }}</p>',
      text: '{{ context.note }}',
    },
  ],
]);

let db: LocalDynamo;
let templates: TemplateSource;
const SIGNING_KEY = 'send-test-signing-key-of-at-least-32-chars';
let ses: LocalSes;

beforeAll(async () => {
  [db, ses] = await Promise.all([startDynalite('send'), startSes()]);
  const snapshots = new TemplateSnapshots(db.doc, db.tables.journeys);
  const pinned = await snapshots.put('welcome', TEMPLATES);
  // Inputs name templates as authored; a deploy compiles the pinned names into the definition.
  templates = { get: (ref) => snapshots.get({ ...ref, name: pinned.get(ref.name) ?? ref.name }) };
});
afterAll(async () => Promise.all([db.stop(), ses.stop()]));
beforeEach(async () => ses.clear());

function deps(now: string, overrides: Partial<SendDeps> = {}): SendDeps {
  return {
    profiles: new ProfilesRepository(db.doc, db.tables.profiles),
    deliveries: new DeliveriesRepository(db.doc, db.tables.deliveries),
    enrollments: new EnrollmentItems(db.doc, db.tables.enrollments),
    stats: new StatsRepository(db.doc, db.tables.stats),
    templates,
    ses: ses.client,
    pinpoint: mockedClient(PinpointClient),
    config: {
      senderEmail: 'news@shop.example',
      configurationSet: 'journeys',
      pinpointApplicationId: 'app-1',
      unsubscribeBaseUrl: 'https://shop.example/unsubscribe',
    },
    unsubscribeKey: async () => SIGNING_KEY,
    now: () => new Date(now),
    ...overrides,
  };
}

function input(userId: string, extra: Partial<SendMessageInput> = {}): SendMessageInput {
  return {
    v: CONTRACT_VERSION,
    journeyId: 'welcome',
    journeyVersion: '3',
    enrollmentId: `e-${userId}`,
    userId,
    stepId: 'email-1',
    channel: 'email',
    template: 'welcome',
    trigger: { properties: { cartId: 'c1' } },
    defaultTimezone: 'Europe/Rome',
    transactional: false,
    options: {},
    ...extra,
  };
}

async function customer(userId: string, traits: Record<string, unknown>) {
  await ingestEvent(ingestDeps(db).deps, identify(userId, traits, '2026-10-01T00:00:00Z'));
}

describe('send-message: email through aws-ses-v2-local', () => {
  it('renders the journey context in the email SES receives, HTML-escaped', async () => {
    // arrange
    await customer('s-ctx', { email: 'ctx@example.com' });
    const context = { orderId: 'o-7', score: 3, note: '<b>late</b>' };
    // act
    const out = await sendMessage(
      deps('2026-11-24T10:00:00Z'),
      SendMessageInput.parse(input('s-ctx', { template: 'order-context', context })),
    );
    // assert
    const emails = await ses.emails();
    expect(out.status).toBe('sent');
    expect(emails[0]).toMatchObject({ subject: 'Order o-7: 3/10' });
    expect(emails[0]?.body.html).toContain('&lt;b&gt;late&lt;/b&gt;');
  });

  it('renders strictly and sends with the configuration set and List-Unsubscribe headers', async () => {
    await customer('s-ada', { email: 'ada@example.com', firstName: 'Ada' });
    const out = await sendMessage(deps('2026-11-24T10:00:00Z'), input('s-ada'));
    const emails = await ses.emails();
    expect(out).toEqual({ status: 'sent', messageId: emails[0]?.messageId });
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      subject: 'Hi Ada',
      from: 'news@shop.example',
      destination: { to: ['ada@example.com'] },
    });
    const headers = Object.fromEntries((emails[0]?.headers ?? []).map((h) => [h.name, h.value]));
    const link = /^<(.+)>$/.exec(headers['List-Unsubscribe'] ?? '')?.[1] ?? '';
    expect(link.startsWith('https://shop.example/unsubscribe?t=')).toBe(true);
    const token = new URL(link).searchParams.get('t') ?? '';
    expect(verifyUnsubscribe(SIGNING_KEY, token)).toEqual({
      u: 's-ada',
      c: 'email',
      i: Date.parse('2026-11-24T10:00:00Z') / 1000,
    });
    expect(verifyUnsubscribe('another-key-another-key-another-key', token)).toBeUndefined();
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it.each([true, false, undefined])(
    'records with the message whether its step waits for the outcome (%s), for delivery feedback',
    async (outcomeWait) => {
      // arrange
      const userId = `s-waits-${outcomeWait}`;
      await customer(userId, { email: `${userId}@example.com`, firstName: 'Ada' });
      // act
      const out = await sendMessage(
        deps('2026-11-24T10:00:00Z'),
        input(userId, outcomeWait === undefined ? {} : { outcomeWait }),
      );
      // assert: an input compiled before it was recorded says nothing, and feedback looks
      const messageId = out.status === 'sent' ? out.messageId : '';
      const link = await new DeliveriesRepository(db.doc, db.tables.deliveries).byMessage(messageId);
      expect(link?.outcomeWait).toBe(outcomeWait);
    },
  );

  it('gives SES a subject without control characters whatever the customer data holds', async () => {
    // arrange: a first name with a header injection attempt, a NUL, a tab, an escape, NEL and a line separator
    const firstName = 'Ada\r\nBcc: all@example.com\u0000\tX\u001b\u0085Y\u2028Z';
    await customer('s-ctl', { email: 'ctl@example.com', firstName });
    // act
    const out = await sendMessage(deps('2026-11-24T10:00:00Z'), input('s-ctl'));
    // assert
    const emails = await ses.emails();
    expect(out.status).toBe('sent');
    expect(emails).toHaveLength(1);
    expect(emails[0]?.subject).toBe('Hi Ada Bcc: all@example.com X Y Z');
    expect(emails[0]?.destination.to).toEqual(['ctl@example.com']);
    expect(emails[0]?.body.text).toBe('Hi Ada\r\nBcc: all@example.com\tX\u0085Y\u2028Z');
  });

  it('gives SES a sender and reply-to in 7-bit ASCII: a name in another script encoded, a domain in Punycode', async () => {
    // arrange
    await customer('s-from', { email: 'from@example.com', firstName: 'Ada' });
    const options = { from: 'Caffè Roma <news@caffè.example>', replyTo: '"Roma, Help" <help@shop.example>' };
    // act
    const out = await sendMessage(deps('2026-11-24T10:00:00Z'), input('s-from', { options }));
    // assert
    const [email] = await ses.emails();
    expect(out.status).toBe('sent');
    expect(email?.from).toBe(
      `=?UTF-8?B?${Buffer.from('Caffè Roma').toString('base64')}?= <news@xn--caff-8oa.example>`,
    );
    expect(email?.replyTo).toEqual(['"Roma, Help" <help@shop.example>']);
  });

  it('sends marketing mail whose unsubscribe link is too long for a header without the one-click headers, the link in the body', async () => {
    // arrange: a long customer id and topic make a link past the 870 characters SES takes in a header value
    const userId = `s-long-${'x'.repeat(600)}`;
    await customer(userId, { email: 'long@example.com' });
    // act
    const out = await sendMessage(
      deps('2026-11-24T10:00:00Z'),
      input(userId, { template: 'receipt', topic: 'ü'.repeat(120) }),
    );
    // assert
    const [email] = await ses.emails();
    expect(out.status).toBe('sent');
    expect((email?.headers ?? []).map((h) => h.name)).not.toContain('List-Unsubscribe');
    const link = /Email preferences: (\S+)/.exec(email?.body.text ?? '')?.[1] ?? '';
    expect(verifyUnsubscribe(SIGNING_KEY, new URL(link).searchParams.get('t') ?? '')).toMatchObject({
      u: userId,
    });
  });

  it('takes a customer address whose domain is in another script and gives SES its Punycode', async () => {
    // arrange
    await customer('s-idn', { email: 'ana@caffè.example', firstName: 'Ana' });
    // act
    const out = await sendMessage(deps('2026-11-24T10:00:00Z'), input('s-idn'));
    // assert
    const [email] = await ses.emails();
    expect(out.status).toBe('sent');
    expect(email?.destination.to).toEqual(['ana@xn--caff-8oa.example']);
  });

  it('gives a transactional email its preferences link, without the List-Unsubscribe headers of marketing mail', async () => {
    // arrange
    await customer('s-receipt', { email: 'receipt@example.com' });
    // act
    const out = await sendMessage(
      deps('2026-11-24T10:00:00Z'),
      input('s-receipt', { template: 'receipt', transactional: true }),
    );
    // assert
    const emails = await ses.emails();
    expect(out.status).toBe('sent');
    const link = /Email preferences: (\S+)/.exec(emails[0]?.body.text ?? '')?.[1] ?? '';
    const token = new URL(link).searchParams.get('t') ?? '';
    expect(verifyUnsubscribe(SIGNING_KEY, token)).toEqual({
      u: 's-receipt',
      c: 'email',
      i: Date.parse('2026-11-24T10:00:00Z') / 1000,
    });
    const names = (emails[0]?.headers ?? []).map((h) => h.name);
    expect(names).not.toContain('List-Unsubscribe');
    expect(names).not.toContain('List-Unsubscribe-Post');
  });

  it('remembers the last message step sent on the enrollment item, for conversion attribution', async () => {
    // arrange: a running enrollment
    await customer('s-last', { email: 'l@example.com', firstName: 'L' });
    const enrollments = new EnrollmentItems(db.doc, db.tables.enrollments);
    await enrollments.putEnrollment('s-last', {
      enrollmentId: 'e-s-last',
      journeyId: 'welcome',
      version: '3',
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:journey-welcome:e-s-last',
      enrolledAt: '2026-11-24T09:00:00Z',
    });
    // act: two message steps sent, the second one's attempt sends nothing (no SMS address)
    await sendMessage(deps('2026-11-24T10:00:00Z'), input('s-last'));
    await sendMessage(deps('2026-11-24T11:00:00Z'), input('s-last', { stepId: 'email-2' }));
    await sendMessage(
      deps('2026-11-24T12:00:00Z'),
      input('s-last', { stepId: 'sms-3', channel: 'sms', template: 'cart-sms' }),
    );
    // assert
    expect((await enrollments.enrollment('s-last', 'e-s-last'))?.lastStep).toBe('email-2');
  });

  it('sends once when the task is retried after a timeout', async () => {
    await customer('s-retry', { email: 'r@example.com', firstName: 'R' });
    const first = await sendMessage(deps('2026-11-24T10:00:00Z'), input('s-retry'));
    const retried = await sendMessage(deps('2026-11-24T10:01:00Z'), input('s-retry'));
    expect(retried).toEqual(first);
    expect(await ses.emails()).toHaveLength(1);
  });

  it('never sends twice when the first attempt died after reaching SES', async () => {
    await customer('s-crash', { email: 'c@example.com', firstName: 'C' });
    const deliveries = new DeliveriesRepository(db.doc, db.tables.deliveries);
    const crashing = Object.assign(Object.create(deliveries), {
      settle: async () => Promise.reject(new Error('Lambda timed out')),
    });
    await expect(
      sendMessage(deps('2026-11-24T10:00:00Z', { deliveries: crashing, leaseMs: 1000 }), input('s-crash')),
    ).rejects.toThrow();
    // The claim's lease still runs: a retry now waits for its end (1 s after the claim).
    const busy = await sendMessage(deps('2026-11-24T10:00:00.500Z'), input('s-crash'));
    expect(busy).toMatchObject({ status: 'deferred', until: '2026-11-24T10:00:01.000Z' });
    const later = await sendMessage(deps('2026-11-24T10:05:00Z'), input('s-crash'));
    expect(later).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/outcome unknown/) });
    expect(await ses.emails()).toHaveLength(1);
  });

  it('records a missing template variable as a failure instead of a blank message', async () => {
    await customer('s-broken', { email: 'b@example.com' });
    await expect(
      sendMessage(deps('2026-11-24T10:00:00Z'), input('s-broken', { template: 'broken' })),
    ).rejects.toMatchObject({
      name: ErrorName.TemplateFailed,
      // The reason names the template, the field and the expression as written.
      message: expect.stringMatching(
        /^template broken\b.*: subject: \{\{ profile\.nickname \}\} has no value and no default/,
      ),
    });
    expect(await ses.emails()).toHaveLength(0);
  });

  it('maps SES throttling to the error name the compiled Retry matches', async () => {
    await customer('s-throttle', { email: 't@example.com', firstName: 'T' });
    const throttling = mockClient(SESv2Client);
    throttling
      .on(SendEmailCommand)
      .rejects(
        Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' }),
      );
    const error = await sendMessage(
      deps('2026-11-24T10:00:00Z', { ses: mockedClient(SESv2Client) }),
      input('s-throttle'),
    ).catch((e: unknown) => e);
    throttling.restore();
    expect(error).toMatchObject({ name: ErrorName.Throttled });
    expect(RETRYABLE_ERRORS).toContain((error as Error).name);
    // the throttled attempt sent nothing, so the retry sends
    const retry = await sendMessage(deps('2026-11-24T10:00:05Z'), input('s-throttle'));
    expect(retry.status).toBe('sent');
  });
});

describe('send-message: consent, addresses, quiet hours and caps', () => {
  it('suppresses later sends after an unsubscribe mid-journey', async () => {
    await customer('s-unsub', { email: 'u@example.com', firstName: 'U' });
    const first = await sendMessage(deps('2026-11-24T10:00:00Z'), input('s-unsub', { stepId: 'one' }));
    await ingestEvent(
      ingestDeps(db).deps,
      identify('s-unsub', { consent: { email: false } }, '2026-11-24T10:30:00Z'),
    );
    const second = await sendMessage(deps('2026-11-24T11:00:00Z'), input('s-unsub', { stepId: 'two' }));
    expect([first.status, second]).toEqual([
      'sent',
      { status: 'suppressed', reason: 'unsubscribed from email' },
    ]);
  });

  it('suppresses with a reason when the channel has no address', async () => {
    await customer('s-noaddr', { firstName: 'N' });
    const out = await sendMessage(
      deps('2026-11-24T10:00:00Z'),
      input('s-noaddr', { channel: 'sms', template: 'cart-sms' }),
    );
    expect(out).toEqual({ status: 'suppressed', reason: 'no sms address on the profile' });
  });

  it.each([
    // 22:30 CEST on the night clocks go back: quiet until 08:00 CET = 07:00Z
    { zone: 'Europe/Rome', now: '2026-10-24T20:30:00Z', until: '2026-10-25T07:00:00.000Z' },
    // 21:30 EDT the night before US clocks go back: 08:00 EST = 13:00Z
    { zone: 'America/New_York', now: '2026-11-01T01:30:00Z', until: '2026-11-01T13:00:00.000Z' },
  ])(
    'defers to the end of quiet hours in the customer zone ($zone) across a DST change',
    async ({ zone, now, until }) => {
      const userId = `s-quiet-${zone}`;
      await customer(userId, { email: 'q@example.com', firstName: 'Q', timezone: zone });
      const out = await sendMessage(
        deps(now),
        input(userId, { quietHours: { start: '21:00', end: '08:00' } }),
      );
      expect(out).toEqual({ status: 'deferred', until, reason: 'quiet hours' });
      expect(await ses.emails()).toHaveLength(0);
    },
  );

  it('defers a capped send to when a slot frees (then outside quiet hours), and sends then', async () => {
    await customer('s-cap', { email: 'cap@example.com', firstName: 'C', timezone: 'Europe/Rome' });
    const caps = [{ channel: 'email' as const, max: 1, within: 'P1D' }];
    const quietHours = { start: '21:00', end: '08:00' };
    const first = await sendMessage(
      deps('2026-10-24T06:30:00Z'),
      input('s-cap', { stepId: 'a', caps, quietHours }),
    );
    expect(first.status).toBe('sent');
    // the slot frees at 06:30Z on Oct 25 = 07:30 CET, inside quiet hours: 08:00 CET = 07:00Z
    const deferred = await sendMessage(
      deps('2026-10-24T12:00:00Z'),
      input('s-cap', { stepId: 'b', caps, quietHours }),
    );
    expect(deferred).toEqual({
      status: 'deferred',
      until: '2026-10-25T07:00:00.000Z',
      reason: 'frequency cap',
    });
    const later = await sendMessage(
      deps('2026-10-25T07:00:00Z'),
      input('s-cap', { stepId: 'b', caps, quietHours }),
    );
    expect(later.status).toBe('sent');
    expect(await ses.emails()).toHaveLength(2);
  });

  it("keeps the sends another journey's longer cap counts: a journey without caps does not drop them", async () => {
    // arrange: a win-back that allows at most two emails in 90 days; one goes out on Oct 1
    await customer('s-quarter', { email: 'quarter@example.com', firstName: 'Q' });
    const quarterly = [{ channel: 'email' as const, max: 2, within: 'P90D' }];
    const winBack = (enrollmentId: string) =>
      input('s-quarter', { enrollmentId, stepId: 'email', caps: quarterly });
    expect((await sendMessage(deps('2026-10-01T10:00:00Z'), winBack('w-1'))).status).toBe('sent');
    // act: a newsletter with no caps of its own sends on Nov 10, then the win-back comes round again on Nov 15
    const newsletter = input('s-quarter', { enrollmentId: 'n-1', stepId: 'email' });
    expect((await sendMessage(deps('2026-11-10T10:00:00Z'), newsletter)).status).toBe('sent');
    const again = await sendMessage(deps('2026-11-15T10:00:00Z'), winBack('w-2'));
    // assert: the October email still counts (it used to be dropped after 30 days): a third email waits
    expect(again).toEqual({ status: 'deferred', until: '2026-12-30T10:00:00.000Z', reason: 'frequency cap' });
    expect(await ses.emails()).toHaveLength(2);
  });

  it('defers before rendering: a broken template fails at the real attempt and gives its cap slot back', async () => {
    await customer('s-late-broken', { email: 'lb@example.com', firstName: 'L', timezone: 'Europe/Rome' });
    const caps = [{ channel: 'email' as const, max: 1, within: 'P1D' }];
    const quietHours = { start: '21:00', end: '08:00' };
    // 23:00 in Rome: deferred by quiet hours, the template not yet rendered
    const night = await sendMessage(
      deps('2026-11-24T22:00:00Z'),
      input('s-late-broken', { stepId: 'a', template: 'broken', caps, quietHours }),
    );
    expect(night).toEqual({ status: 'deferred', until: '2026-11-25T07:00:00.000Z', reason: 'quiet hours' });
    await expect(
      sendMessage(
        deps('2026-11-25T07:00:00Z'),
        input('s-late-broken', { stepId: 'a', template: 'broken', caps, quietHours }),
      ),
    ).rejects.toMatchObject({ name: ErrorName.TemplateFailed });
    // the failed render took no slot of the cap: the next message goes out at once
    const next = await sendMessage(
      deps('2026-11-25T07:05:00Z'),
      input('s-late-broken', { stepId: 'b', caps, quietHours }),
    );
    expect(next.status).toBe('sent');
    expect(await ses.emails()).toHaveLength(1);
  });

  it("counts one person's cap across a visitor's enrollment and the known customer's after they sign in", async () => {
    // arrange: a visitor gets an email while anonymous, then signs in (the visitor's id joins the customer)
    const caps = [{ channel: 'email' as const, max: 2, within: 'P1D' }];
    const ingest = ingestDeps(db).deps;
    const visit = { anonymousId: 'v-cap', traits: { email: 'cap@example.com', firstName: 'V' } };
    await ingestEvent(ingest, {
      type: 'identify',
      ...visit,
      timestamp: '2026-11-24T08:00:00Z',
      messageId: 'v1',
    });
    const visitor = (stepId: string) => input('anon:v-cap', { enrollmentId: 'e-visitor', stepId, caps });
    const known = (stepId: string) => input('k-cap', { enrollmentId: 'e-known', stepId, caps });
    expect((await sendMessage(deps('2026-11-24T09:00:00Z'), visitor('a'))).status).toBe('sent');
    await ingestEvent(ingest, {
      type: 'identify',
      userId: 'k-cap',
      anonymousId: 'v-cap',
      traits: {},
      timestamp: '2026-11-24T09:30:00Z',
      messageId: 'v2',
    });
    // act: the visitor's enrollment sends again, then the known customer's journey, then both once more
    const second = await sendMessage(deps('2026-11-24T10:00:00Z'), visitor('b'));
    const third = await sendMessage(deps('2026-11-24T10:01:00Z'), known('a'));
    const fourth = await sendMessage(deps('2026-11-24T10:02:00Z'), visitor('c'));
    // assert: two emails a day to the person, whichever id each journey runs under
    expect(second.status).toBe('sent');
    expect(third).toEqual({ status: 'deferred', until: '2026-11-25T09:00:00.000Z', reason: 'frequency cap' });
    expect(fourth).toEqual({
      status: 'deferred',
      until: '2026-11-25T09:00:00.000Z',
      reason: 'frequency cap',
    });
    expect(await ses.emails()).toHaveLength(2);
  });

  it("counts what a visitor was sent against the known customer's own journeys once they sign in", async () => {
    // arrange: an email to the visitor, then sign-in (the merge copies the visitor's recent sends)
    const caps = [{ channel: 'email' as const, max: 1, within: 'P1D' }];
    const ingest = ingestDeps(db).deps;
    const visit = { anonymousId: 'v-copy', traits: { email: 'copy@example.com', firstName: 'V' } };
    await ingestEvent(ingest, {
      type: 'identify',
      ...visit,
      timestamp: '2026-11-24T08:00:00Z',
      messageId: 'c1',
    });
    const visitor = input('anon:v-copy', { enrollmentId: 'e-v-copy', stepId: 'a', caps });
    expect((await sendMessage(deps('2026-11-24T09:00:00Z'), visitor)).status).toBe('sent');
    await ingestEvent(ingest, {
      type: 'identify',
      userId: 'k-copy',
      anonymousId: 'v-copy',
      traits: {},
      timestamp: '2026-11-24T09:30:00Z',
      messageId: 'c2',
    });
    // act: a journey of the known customer sends within the day
    const known = input('k-copy', { enrollmentId: 'e-k-copy', stepId: 'a', caps });
    const out = await sendMessage(deps('2026-11-24T10:00:00Z'), known);
    // assert: one email a day to the person
    expect(out).toEqual({ status: 'deferred', until: '2026-11-25T09:00:00.000Z', reason: 'frequency cap' });
    expect(await ses.emails()).toHaveLength(1);
  });

  it('reserves cap slots atomically under concurrent sends', async () => {
    await customer('s-race', { email: 'race@example.com', firstName: 'R' });
    const caps = [{ max: 2, within: 'PT1H' }];
    const outs = await Promise.all(
      ['a', 'b', 'c', 'd'].map((stepId) =>
        sendMessage(deps('2026-11-24T10:00:00Z'), input('s-race', { stepId, caps })),
      ),
    );
    expect(outs.filter((o) => o.status === 'sent')).toHaveLength(2);
    expect(outs.filter((o) => o.status === 'deferred')).toHaveLength(2);
  });
});

describe('send-message: push deep links', () => {
  async function pushed(userId: string, trigger: unknown) {
    const event = {
      ...identify(userId, {}, '2026-10-01T00:00:00Z'),
      context: { device: { token: `t-${userId}`, type: 'android' } },
    };
    await ingestEvent(ingestDeps(db).deps, event);
    const pinpoint = mockClient(PinpointClient);
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-1',
        Result: { [`t-${userId}`]: { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'p-1' } },
      },
    });
    const out = await sendMessage(
      deps('2026-11-24T10:00:00Z'),
      input(userId, { channel: 'push', template: 'deep-link', trigger, transactional: true }),
    );
    const request = pinpoint.commandCalls(SendMessagesCommand)[0]?.args[0].input;
    pinpoint.restore();
    return { out, gcm: request?.MessageRequest?.MessageConfiguration?.GCMMessage };
  }

  it('sends a link from event data on one line, and opens the app when the url renders empty', async () => {
    const link = await pushed('p-link', {
      properties: { link: 'https://shop.example/cart\r\nX-Injected: 1' },
    });
    const none = await pushed('p-none', { properties: {} });
    expect(link.out).toEqual({ status: 'sent', messageId: 'p-1' });
    expect(link.gcm).toMatchObject({ Action: 'DEEP_LINK', Url: 'https://shop.example/cartX-Injected:%201' });
    expect(none.out).toEqual({ status: 'sent', messageId: 'p-1' });
    expect(none.gcm?.Action).toBe('OPEN_APP');
    expect(none.gcm).not.toHaveProperty('Url');
  });
});

describe('send-message: SMS through Pinpoint SendMessages to a direct address', () => {
  it('sends to the phone number and returns the message id', async () => {
    await customer('s-sms', { phone: '+393331234567' });
    const pinpoint = mockClient(PinpointClient);
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-1',
        Result: { '+393331234567': { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'sms-1' } },
      },
    });
    const out = await sendMessage(
      deps('2026-11-24T10:00:00Z'),
      input('s-sms', { channel: 'sms', template: 'cart-sms', options: { messageType: 'TRANSACTIONAL' } }),
    );
    const request = pinpoint.commandCalls(SendMessagesCommand)[0]?.args[0].input;
    pinpoint.restore();
    expect(out).toEqual({ status: 'sent', messageId: 'sms-1' });
    expect(request?.MessageRequest?.Addresses).toEqual({ '+393331234567': { ChannelType: 'SMS' } });
    expect(request?.MessageRequest?.MessageConfiguration?.SMSMessage).toEqual({
      Body: 'Your cart c1 is waiting',
      MessageType: 'TRANSACTIONAL',
    });
    // The receipt carries the context back: the stack's configuration set routes it to this stack only.
    expect(request?.MessageRequest?.Context).toMatchObject({
      journeyId: 'welcome',
      configurationSet: 'journeys',
    });
  });

  it('sends a local number in E.164, read in the country of the profile’s locale', async () => {
    // arrange
    await customer('s-local', { phone: '0412 345 678', locale: 'en-AU' });
    const pinpoint = mockClient(PinpointClient);
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-1',
        Result: { '+61412345678': { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'sms-au' } },
      },
    });
    // act
    const out = await sendMessage(
      deps('2026-11-24T10:00:00Z'),
      input('s-local', { channel: 'sms', template: 'cart-sms' }),
    );
    const request = pinpoint.commandCalls(SendMessagesCommand)[0]?.args[0].input;
    pinpoint.restore();
    // assert
    expect(out).toEqual({ status: 'sent', messageId: 'sms-au' });
    expect(request?.MessageRequest?.Addresses).toEqual({ '+61412345678': { ChannelType: 'SMS' } });
  });

  it('suppresses with a reason a number it cannot read, and calls no provider', async () => {
    await customer('s-unreadable', { phone: '0412 345 678' });
    const pinpoint = mockClient(PinpointClient);
    const out = await sendMessage(
      deps('2026-11-24T10:00:00Z'),
      input('s-unreadable', { channel: 'sms', template: 'cart-sms' }),
    );
    const calls = pinpoint.commandCalls(SendMessagesCommand).length;
    pinpoint.restore();
    expect(out).toEqual({
      status: 'suppressed',
      reason: 'the phone number has no country code and the profile no country or locale',
    });
    expect(calls).toBe(0);
  });

  it('opts the SMS channel out when the provider refuses the number as opted out (STOP), and sends no more', async () => {
    // arrange: the customer replied STOP, so the provider refuses every SMS to the number
    await customer('s-stop', { phone: '+393339876543' });
    const pinpoint = mockClient(PinpointClient);
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-1',
        Result: {
          '+393339876543': {
            DeliveryStatus: 'OPT_OUT',
            StatusCode: 400,
            StatusMessage: 'Phone number is opted out',
          },
        },
      },
    });
    const sms = (stepId: string) => input('s-stop', { stepId, channel: 'sms', template: 'cart-sms' });
    // act
    const first = await sendMessage(deps('2026-11-24T10:00:00Z'), sms('one')).catch((error: Error) => error);
    const second = await sendMessage(deps('2026-11-24T11:00:00Z'), sms('two'));
    const calls = pinpoint.commandCalls(SendMessagesCommand).length;
    pinpoint.restore();
    // assert: the refusal fails the step with a reason naming the opt-out; the profile keeps it
    expect(first).toMatchObject({
      name: ErrorName.DeliveryFailed,
      message: expect.stringMatching(/opted out.*STOP/),
    });
    const { profile } = await new ProfilesRepository(db.doc, db.tables.profiles).get('s-stop');
    expect(profile.consent.sms).toMatchObject({
      status: 'unsubscribed',
      reason: expect.stringMatching(/STOP/),
    });
    expect(second).toEqual({ status: 'suppressed', reason: 'unsubscribed from sms' });
    expect(calls).toBe(1);
  });
});
