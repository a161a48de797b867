import { describe, expect, it } from 'vitest';
import { exampleJourneys } from '../../support/journeys.ts';
import { offlineJourney } from './harness.ts';

const journeys = exampleJourneys();
const byId = (id: string) => {
  const journey = journeys.find((j) => j.id === id);
  if (journey === undefined) throw new Error(`example journey ${id} is missing`);
  return offlineJourney(journey);
};

describe('every example journey runs offline', () => {
  it.each(journeys.map((j) => [j.id, j] as const))(
    '%s reaches an exit (events arrive, all sent)',
    async (_id, j) => {
      const outcome = await offlineJourney(j).run({});
      expect(outcome.status).toBe('SUCCEEDED');
      const last = outcome.visited.at(-1) ?? '';
      expect(j.steps[last.split('.')[0] ?? '']?.type === 'exit' || last.endsWith('.failed')).toBe(true);
    },
  );

  it.each(journeys.map((j) => [j.id, j] as const))(
    '%s reaches an exit when every wait times out',
    async (_id, j) => {
      const timeouts = Object.fromEntries(Object.keys(j.steps).map((id) => [id, 'timeout' as const]));
      const outcome = await offlineJourney(j).run({ await: timeouts });
      expect(outcome.status).toBe('SUCCEEDED');
    },
  );
});

describe('cart-abandonment: exact paths', () => {
  const cart = byId('cart-abandonment');
  const head = ['wait-1h', 'reminder-email', 'wait-order'];
  const sms = [...head, 'wait-order.timedOut', 'channel-test', 'cart-sms', 'cart-sms.outcome'];

  it.each([
    { name: 'ordered', script: {}, path: [...head, 'ordered'] },
    {
      name: 'timeout → sms variant, delivered: no fallback',
      script: {
        await: { 'wait-order': 'timeout' as const },
        buckets: { 'channel-test': 0 },
        outcome: { 'cart-sms': 'delivered' as const },
      },
      path: [...sms, 'cart-sms.await', 'cart-sms.outcomeIs', 'not-ordered'],
    },
    {
      name: 'sms bounced: the fallback email at once',
      script: {
        await: { 'wait-order': 'timeout' as const },
        buckets: { 'channel-test': 0 },
        outcome: { 'cart-sms': 'bounced' as const },
      },
      path: [...sms, 'cart-sms.await', 'cart-sms.outcomeIs', 'cart-sms.fallback1', 'not-ordered'],
    },
    {
      name: 'no receipt within the hour: the waiter is removed, then the fallback email',
      script: { await: { 'wait-order': 'timeout' as const }, buckets: { 'channel-test': 0 } },
      path: [...sms, 'cart-sms.await', 'cart-sms.outcomeTimedOut', 'cart-sms.fallback1', 'not-ordered'],
    },
    {
      name: 'sms suppressed: the fallback email without waiting',
      script: {
        await: { 'wait-order': 'timeout' as const },
        buckets: { 'channel-test': 0 },
        send: { 'cart-sms': 'suppressed' } as Record<string, 'suppressed'>,
      },
      path: [...sms, 'cart-sms.fallback1', 'not-ordered'],
    },
    {
      name: 'sms outcome unknown: no receipt will come, so the fallback email without waiting',
      script: {
        await: { 'wait-order': 'timeout' as const },
        buckets: { 'channel-test': 0 },
        send: { 'cart-sms': 'unknown' } as Record<string, 'unknown'>,
      },
      path: [...sms, 'cart-sms.fallback1', 'not-ordered'],
    },
    {
      name: 'sms refused by the provider: the fallback email',
      script: {
        await: { 'wait-order': 'timeout' as const },
        buckets: { 'channel-test': 0 },
        send: { 'cart-sms': 'fail' } as Record<string, 'fail'>,
      },
      path: [...head, 'wait-order.timedOut', 'channel-test', 'cart-sms', 'cart-sms.fallback1', 'not-ordered'],
    },
    {
      name: 'timeout → push variant',
      script: { await: { 'wait-order': 'timeout' as const }, buckets: { 'channel-test': 45 } },
      path: [...head, 'wait-order.timedOut', 'channel-test', 'cart-push', 'not-ordered'],
    },
    {
      name: 'timeout → control holdout',
      script: { await: { 'wait-order': 'timeout' as const }, buckets: { 'channel-test': 99 } },
      path: [...head, 'wait-order.timedOut', 'channel-test', 'not-ordered'],
    },
    {
      name: 'email deferred by quiet hours, then sent',
      script: { send: { 'reminder-email': 'deferred' as const } },
      path: [
        'wait-1h',
        'reminder-email',
        'reminder-email.deferred',
        'reminder-email.defer',
        'reminder-email',
        'wait-order',
        'ordered',
      ],
    },
    {
      name: 'email fails permanently: continue',
      script: { send: { 'reminder-email': 'fail' as const } },
      path: ['wait-1h', 'reminder-email', 'wait-order', 'ordered'],
    },
    {
      name: 'email suppressed: continue',
      script: { send: { 'reminder-email': 'suppressed' as const } },
      path: [...head, 'ordered'],
    },
  ])('$name', async ({ script, path }) => {
    const outcome = await cart.run(script);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.visited).toStrictEqual(path);
    expect(outcome.transitions).toBe(path.length);
  });

  it('records the exit reason and the failure in the output', async () => {
    const outcome = await cart.run({ send: { 'reminder-email': 'fail' } });
    expect(outcome.output).toMatchObject({
      exit: { stepId: 'ordered', reason: 'cart ordered' },
      failure: { Error: 'Journeys.DeliveryFailed' },
    });
  });
});

describe('welcome-series: a push that cannot go becomes the email nudge', () => {
  const welcome = byId('welcome-series');
  // The branch's second rule ("has the app") matches.
  const head = ['welcome-email', 'wait-2d', 'check-activation', 'check-activation.route', 'nudge-push'];

  it.each([
    {
      name: 'push sent: on to done at once',
      send: 'sent' as const,
      path: [...head, 'nudge-push.outcome', 'done'],
    },
    {
      name: 'push suppressed: the email nudge',
      send: 'suppressed' as const,
      path: [...head, 'nudge-push.outcome', 'nudge-email', 'done'],
    },
    {
      name: 'push refused (a dead token): the email nudge',
      send: 'fail' as const,
      path: [...head, 'nudge-email', 'done'],
    },
  ])('$name', async ({ send, path }) => {
    const outcome = await welcome.run({ branch: { 'check-activation': 1 }, send: { 'nudge-push': send } });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.visited).toStrictEqual(path);
    // A push reports nothing later: it never waits for feedback.
    expect(outcome.calls.map((c) => c.resource)).not.toContain('await-event');
  });

  it('compiles no wait for push feedback, which never comes', () => {
    const states = Object.keys(welcome.asl.States);
    expect(states).toContain('nudge-push.outcome');
    expect(states.filter((s) => s.startsWith('nudge-push.') && s.includes('await'))).toStrictEqual([]);
  });
});

describe('re-engagement: an email that does not arrive becomes a push', () => {
  const reengagement = byId('re-engagement');
  const email = [
    'miss-you-email',
    'miss-you-email.outcome',
    'miss-you-email.await',
    'miss-you-email.outcomeIs',
  ];

  it.each([
    { name: 'delivered: on to the wait, no push', outcome: 'delivered' as const, push: false },
    { name: 'bounced: the push at once', outcome: 'bounced' as const, push: true },
  ])('$name', async ({ outcome, push }) => {
    const run = await reengagement.run({ outcome: { 'miss-you-email': outcome } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.visited.slice(0, email.length)).toStrictEqual(email);
    expect(run.visited.includes('miss-you-email.fallback1')).toBe(push);
    expect(run.visited).toContain('wait-open');
  });
});
