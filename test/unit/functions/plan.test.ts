import { describe, expect, it } from 'vitest';
import { CustomerEvent } from '#shared/events.ts';
import { countedEvents, earlierEndings, type LiveJourney, liveFields } from '#shared/ingest/live-journey.ts';
import { planIngest } from '#shared/ingest/plan.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';
import type { ActiveEnrollment, ProfileState } from '#shared/profile/state.ts';

function live(input: Partial<JourneyInput>): LiveJourney {
  const journey = Journey.parse({
    id: 'j',
    name: 'J',
    trigger: { type: 'event', event: 'Go' },
    start: 'x',
    steps: { x: { type: 'exit' } },
    ...input,
  });
  const arn = 'arn:aws:states:eu-west-1:1:stateMachine:journey-j';
  return {
    ...liveFields(journey),
    version: '1',
    versionArn: `${arn}:1`,
    aliasArn: `${arn}:live`,
    stateMachineArn: arn,
  };
}

function state(extra: Partial<ProfileState> = {}): ProfileState {
  return {
    profile: { userId: 'u', traits: { plan: 'pro' }, consent: {}, events: {} },
    waitingFor: {},
    sends: { email: [], sms: [], push: [] },
    sendsVersion: 0,
    lastEvents: {},
    ...extra,
  };
}

const now = new Date('2026-11-24T10:00:00Z');
const go = CustomerEvent.parse({
  type: 'track',
  userId: 'u',
  event: 'Go',
  messageId: 'm1',
  timestamp: '2026-11-24T10:00:00Z',
  properties: {},
});
const active = {
  enrollmentId: 'e1',
  journeyId: 'j',
  version: '1',
  executionArn: 'x',
  enrolledAt: '2026-11-01T00:00:00.000Z',
};

describe('planIngest: who enrolls', () => {
  it.each([
    { name: 'active journey', journey: {}, enrolls: 1 },
    { name: 'paused journey', journey: { status: 'paused' as const }, enrolls: 0 },
    {
      name: 'audience excludes',
      journey: { audience: { path: 'profile.traits.plan', eq: 'free' } },
      enrolls: 0,
    },
    {
      name: 'audience includes',
      journey: { audience: { path: 'profile.traits.plan', eq: 'pro' } },
      enrolls: 1,
    },
    { name: 'not started yet', journey: { settings: { startAt: '2026-12-01T00:00:00Z' } }, enrolls: 0 },
    { name: 'already ended', journey: { settings: { endAt: '2026-11-01T00:00:00Z' } }, enrolls: 0 },
    {
      name: 'trigger lacks a value the journey copies',
      journey: {
        start: 'tag',
        steps: {
          tag: {
            type: 'updateProfile' as const,
            set: { plan: { from: 'trigger.properties.plan' } },
            next: 'x',
          },
          x: { type: 'exit' as const },
        },
      },
      enrolls: 0,
    },
  ])('$name', ({ journey, enrolls }) => {
    const plan = planIngest({ event: go, userId: 'u', state: state(), journeys: [live(journey)], now });
    expect(plan.enroll).toHaveLength(enrolls);
  });
});

describe('planIngest: a journey that takes no entries now says why', () => {
  it.each([
    { name: 'paused', journey: { status: 'paused' as const }, reason: 'paused', detail: undefined },
    { name: 'archived', journey: { status: 'archived' as const }, reason: 'archived', detail: undefined },
    { name: 'a draft', journey: { status: 'draft' as const }, reason: 'draft', detail: undefined },
    {
      name: 'not started yet',
      journey: { settings: { startAt: '2026-12-01T00:00:00Z' } },
      reason: 'notStarted',
      detail: { startAt: '2026-12-01T00:00:00Z' },
    },
    {
      name: 'already ended',
      journey: { settings: { endAt: '2026-11-01T00:00:00Z' } },
      reason: 'ended',
      detail: { endAt: '2026-11-01T00:00:00Z' },
    },
  ])('$name', ({ journey, reason, detail }) => {
    const plan = planIngest({ event: go, userId: 'u', state: state(), journeys: [live(journey)], now });
    expect(plan.unmatched.map((u) => ({ reason: u.reason, detail: u.detail }))).toEqual([{ reason, detail }]);
    expect([...plan.enroll, ...plan.skip]).toEqual([]);
  });

  it('says nothing for an event the journey does not name, whatever its status', () => {
    const other = CustomerEvent.parse({ ...go, event: 'Other' });
    const journeys = [live({ status: 'paused' }), live({ settings: { endAt: '2026-11-01T00:00:00Z' } })];
    const plan = planIngest({ event: other, userId: 'u', state: state(), journeys, now });
    expect(plan.unmatched).toEqual([]);
  });
});

describe('planIngest: values the journey reads from the trigger', () => {
  it('enrolls when the trigger carries them', () => {
    const journey = live({
      start: 'tag',
      steps: {
        tag: { type: 'updateProfile', set: { plan: { from: 'trigger.properties.plan' } }, next: 'x' },
        x: { type: 'exit' },
      },
    });
    const withPlan = CustomerEvent.parse({ ...go, properties: { plan: 'team' } });
    const plan = planIngest({ event: withPlan, userId: 'u', state: state(), journeys: [journey], now });
    expect(plan.enroll).toHaveLength(1);
  });
});

describe('planIngest: goals and exits', () => {
  const done = CustomerEvent.parse({
    type: 'track',
    userId: 'u',
    event: 'Done',
    messageId: 'm2',
    timestamp: '2026-11-24T10:00:00Z',
    properties: {},
  });
  it.each([
    {
      name: 'goal inside its window converts and stops',
      journey: { goal: { event: 'Done' } },
      outcome: 'converted',
      stop: true,
    },
    {
      name: 'goal without exit converts, keeps running',
      journey: { goal: { event: 'Done', exit: false } },
      outcome: 'converted',
      stop: false,
    },
    {
      name: 'goal past its window and an exit event exits',
      journey: { goal: { event: 'Done', within: 'P7D' }, exitOn: [{ event: 'Done' }] },
      outcome: 'exited',
      stop: true,
    },
  ])('$name', ({ journey, outcome, stop }) => {
    const plan = planIngest({
      event: done,
      userId: 'u',
      state: state(),
      enrollments: [active],
      journeys: [live({ ...journey, status: 'paused' })],
      now,
    });
    expect(plan.finish.map((f) => ({ outcome: f.outcome, stop: f.stop }))).toEqual([{ outcome, stop }]);
  });

  it('converts the latest open enrollment once per goal event, and ends the others when the goal exits', () => {
    // arrange: three entries of one customer, no correlation key
    const entries = ['e1', 'e3', 'e2'].map((id, i) => ({
      ...active,
      enrollmentId: id,
      enrolledAt: `2026-11-0${[1, 3, 2][i]}T00:00:00.000Z`,
    }));
    const finishWith = (goal: { event: string; exit?: boolean }, enrollments = entries, event = done) =>
      planIngest({
        event,
        userId: 'u',
        state: state(),
        enrollments,
        journeys: [live({ goal })],
        now,
      }).finish.map((f) => [f.enrollment.enrollmentId, f.outcome, f.stop, f.credit ?? true]);
    // act / assert
    expect(finishWith({ event: 'Done' })).toEqual([
      ['e1', 'converted', true, false],
      ['e3', 'converted', true, true],
      ['e2', 'converted', true, false],
    ]);
    expect(finishWith({ event: 'Done', exit: false })).toEqual([['e3', 'converted', false, true]]);
    // a redelivery of the event that converted e3 converts nothing else; another order converts e2
    const afterFirst = entries.map((e) =>
      e.enrollmentId === 'e3' ? { ...e, converted: true, convertedBy: 'm2' } : e,
    );
    expect(finishWith({ event: 'Done', exit: false }, afterFirst)).toEqual([]);
    const second = CustomerEvent.parse({ ...done, messageId: 'm9' });
    expect(finishWith({ event: 'Done', exit: false }, afterFirst, second)).toEqual([
      ['e2', 'converted', false, true],
    ]);
  });

  it('does not convert an enrollment twice', () => {
    const plan = planIngest({
      event: done,
      userId: 'u',
      state: state(),
      enrollments: [{ ...active, converted: true }],
      journeys: [live({ goal: { event: 'Done', exit: false } })],
      now,
    });
    expect(plan.finish).toEqual([]);
  });

  it.each([
    {
      name: 'inside the window',
      at: '2026-11-05T00:00:00Z',
      finish: [{ outcome: 'converted', stop: false }],
    },
    { name: 'after the window', at: '2026-11-09T00:00:00Z', finish: [] },
  ])('counts a goal after the execution ended $name, without stopping anything', ({ at, finish }) => {
    // arrange: the execution ended on Nov 2; the goal window runs 7 days from entry (Nov 1)
    const ended = { ...active, endedAt: '2026-11-02T00:00:00.000Z' };
    // act
    const plan = planIngest({
      event: done,
      userId: 'u',
      state: state(),
      enrollments: [ended],
      journeys: [live({ goal: { event: 'Done', within: 'P7D' }, exitOn: [{ event: 'Done' }] })],
      now: new Date(at),
    });
    // assert
    expect(plan.finish.map((f) => ({ outcome: f.outcome, stop: f.stop }))).toEqual(finish);
  });
});

describe('planIngest: a goal window set by the version an enrollment started on', () => {
  const done = CustomerEvent.parse({
    type: 'track',
    userId: 'u',
    event: 'Done',
    messageId: 'm3',
    timestamp: '2026-11-05T00:00:00Z',
    properties: {},
  });
  it.each([
    // Entered Nov 1 on a version whose window was P7D; the live version's is P1D (or none).
    { name: 'a narrower window since', live: { event: 'Done', within: 'P1D' } },
    { name: 'no window since', live: { event: 'Done' } },
  ])('counts a goal inside the window the enrollment was given, with $name', ({ live: goal }) => {
    // arrange: the execution ended on Nov 2; its item is kept until Nov 8, the end of its own window
    const ended = { ...active, endedAt: '2026-11-02T00:00:00.000Z', goalUntil: '2026-11-08T00:00:00.000Z' };
    // act: the goal on Nov 5, and after the window on Nov 9
    const plan = (at: string) =>
      planIngest({
        event: done,
        userId: 'u',
        state: state(),
        enrollments: [ended],
        journeys: [live({ goal })],
        now: new Date(at),
      }).finish.map((f) => f.outcome);
    // assert
    expect(plan('2026-11-05T00:00:00Z')).toEqual(['converted']);
    expect(plan('2026-11-09T00:00:00Z')).toEqual([]);
  });
});

describe('planIngest: the goal and exit events of the version an enrollment runs on', () => {
  const event = (name: string) =>
    CustomerEvent.parse({
      type: 'track',
      userId: 'u',
      event: name,
      messageId: `m-${name}`,
      timestamp: '2026-11-24T10:00:00Z',
      properties: {},
    });
  // Version 1 exited on "Cart Emptied" and converted on "Ordered"; the live version 2 has neither.
  const v1 = live({ goal: { event: 'Ordered' }, exitOn: [{ event: 'Cart Emptied' }] });
  const v2 = {
    ...live({ goal: { event: 'Purchased' } }),
    version: '2',
    earlier: earlierEndings(v1, '2'),
  };
  const outcomes = (name: string, version: string) =>
    planIngest({
      event: event(name),
      userId: 'u',
      state: state(),
      enrollments: [{ ...active, version }],
      journeys: [v2],
      now,
    }).finish.map((f) => f.outcome);

  it("ends an enrollment of an earlier version on that version's exit and goal events", () => {
    expect(outcomes('Cart Emptied', '1')).toEqual(['exited']);
    expect(outcomes('Ordered', '1')).toEqual(['converted']);
    expect(outcomes('Purchased', '1')).toEqual([]);
  });

  it("ends an enrollment of the live version on the live version's only", () => {
    expect(outcomes('Cart Emptied', '2')).toEqual([]);
    expect(outcomes('Ordered', '2')).toEqual([]);
    expect(outcomes('Purchased', '2')).toEqual(['converted']);
  });

  it("ends an enrollment of a version the entry no longer keeps on the live version's", () => {
    expect(outcomes('Cart Emptied', '0')).toEqual([]);
    expect(outcomes('Purchased', '0')).toEqual(['converted']);
  });
});

describe('planIngest: the correlation key of the version an enrollment runs on', () => {
  // Version 1 ran one enrollment per cartId; version 2 keys them by basketId.
  const keyed = (key: string) =>
    live({
      trigger: { type: 'event', event: 'Go', correlationKey: `event.properties.${key}` },
      exitOn: [{ event: 'Cart Emptied' }],
    });
  const v2 = { ...keyed('basketId'), version: '2', earlier: earlierEndings(keyed('cartId'), '2') };
  const emptied = (properties: Record<string, string>) =>
    CustomerEvent.parse({
      type: 'track',
      userId: 'u',
      event: 'Cart Emptied',
      messageId: 'm-emptied',
      timestamp: '2026-11-24T10:00:00Z',
      properties,
    });
  const exited = (version: string, properties: Record<string, string>) =>
    planIngest({
      event: emptied(properties),
      userId: 'u',
      state: state(),
      enrollments: [{ ...active, version, correlation: 'c1' }],
      journeys: [v2],
      now,
    }).finish.map((f) => f.outcome);

  it("matches an earlier version's enrollment at that version's key", () => {
    expect(exited('1', { cartId: 'c1', basketId: 'b9' })).toEqual(['exited']);
    expect(exited('1', { cartId: 'c2', basketId: 'c1' })).toEqual([]);
  });

  it("matches the live version's at the live key", () => {
    expect(exited('2', { cartId: 'c2', basketId: 'c1' })).toEqual(['exited']);
    expect(exited('2', { cartId: 'c1', basketId: 'b9' })).toEqual([]);
  });
});

describe('earlierEndings', () => {
  const at = (version: string, event: string) => ({ ...live({ exitOn: [{ event }] }), version });

  it("keeps the previous version's endings first, then those it kept, without the new version's", () => {
    const v2 = { ...at('2', 'B'), earlier: earlierEndings(at('1', 'A'), '2') };
    expect(earlierEndings(v2, '3').map((e) => [e.version, e.exitOn?.[0]?.event])).toEqual([
      ['2', 'B'],
      ['1', 'A'],
    ]);
    // The same definition published again is the live version, not an earlier one.
    expect(earlierEndings(v2, '2').map((e) => e.version)).toEqual(['1']);
  });

  it('leaves out the versions whose enrollments have all ended', () => {
    const v2 = {
      ...at('2', 'B'),
      earlier: earlierEndings(at('1', 'A'), '2', new Date('2026-01-01T00:00:00Z')),
    };
    expect(earlierEndings(v2, '3', new Date('2026-06-01T00:00:00Z')).map((e) => e.version)).toEqual([
      '2',
      '1',
    ]);
    expect(earlierEndings(v2, '3', new Date('2027-01-03T00:00:00Z')).map((e) => e.version)).toEqual(['2']);
  });

  it('is bounded by count and by size', () => {
    // Each version with endings of its own (versions whose endings are the same share one entry).
    let entry = at('1', 'E1');
    for (let v = 2; v <= 40; v++)
      entry = { ...at(String(v), `E${v}`), earlier: earlierEndings(entry, String(v)) };
    expect(entry.earlier).toHaveLength(20);
    // An exit condition of 40 KB: past what the entry keeps of earlier versions.
    const where = { path: 'event.properties.sku', eq: 'x'.repeat(40_000) };
    const large = { ...at('1', 'A'), exitOn: [{ event: 'A', where }] };
    expect(earlierEndings({ ...at('2', 'B'), earlier: earlierEndings(large, '2') }, '3')).toHaveLength(1);
  });
});

describe('countedEvents: the names daily counts are kept for', () => {
  const counting = (id: string, ...names: string[]) => ({
    ...live({ audience: { all: names.map((performed) => ({ performed, atLeast: 1, within: 'P7D' })) } }),
    journeyId: id,
  });
  const now = new Date('2026-11-24T10:00:00Z');

  it("keeps an earlier version's names until its enrollments' year is over", () => {
    const v2 = { ...counting('j', 'B'), version: '2', earlier: earlierEndings(counting('j', 'A'), '2', now) };
    expect([...(countedEvents([v2], now, 30) ?? [])].sort()).toEqual(['A', 'B']);
    expect([...(countedEvents([v2], new Date('2027-11-26T10:00:00Z'), 30) ?? [])]).toEqual(['B']);
  });

  it('keeps the names of versions still running only within the share left by live journeys', () => {
    // arrange: live journeys count 3 names of a share of 3; an archived journey counted another
    const full = counting('full', 'A', 'B', 'C');
    const archived = {
      ...counting('old', 'D'),
      status: 'archived' as const,
      archivedAt: '2026-11-20T00:00:00Z',
    };
    // act / assert
    expect([...(countedEvents([full, archived], now, 3) ?? [])].sort()).toEqual(['A', 'B', 'C']);
    expect([...(countedEvents([full, archived], now, 4) ?? [])].sort()).toEqual(['A', 'B', 'C', 'D']);
  });
});

describe('planIngest: correlation values of any type', () => {
  const waiter = (value: unknown) => ({
    enrollmentId: 'e1',
    journeyId: 'j',
    stepId: 'w',
    event: 'Paid',
    match: [{ path: 'event.properties.order', value }],
    token: 't',
    startedAt: '2026-11-24T09:00:00Z',
    expiresAt: '2026-11-25T09:00:00Z',
  });
  const paid = (order: unknown) =>
    CustomerEvent.parse({
      type: 'track',
      userId: 'u',
      event: 'Paid',
      messageId: `m-${JSON.stringify(order)}`,
      timestamp: '2026-11-24T10:00:00Z',
      properties: { order },
    });
  const resumes = (value: unknown, order: unknown) =>
    planIngest({
      event: paid(order),
      userId: 'u',
      state: state(),
      journeys: [],
      now,
      waiters: [waiter(value)],
    }).resume.length;

  it('matches a number with its string, in either direction', () => {
    expect([resumes(42, '42'), resumes('42', 42), resumes(true, 'true')]).toEqual([1, 1, 1]);
  });

  it('tells apart objects and lists that differ, and matches equal ones', () => {
    expect(resumes({ id: 1 }, { id: 2 })).toBe(0);
    expect(resumes({ id: 1 }, { id: 1 })).toBe(1);
    expect(resumes([1, 2], [1, 3])).toBe(0);
  });

  it('enrolls once per distinct object-valued correlation value', () => {
    const journey = live({
      trigger: { type: 'event', event: 'Go', correlationKey: 'event.properties.cart' },
    });
    const keyOf = (cart: unknown) => {
      const event = CustomerEvent.parse({ ...go, properties: { cart } });
      return planIngest({ event, userId: 'u', state: state(), journeys: [journey], now }).enroll[0]
        ?.reentryKey;
    };
    expect(keyOf({ id: 'a' })).not.toBe(keyOf({ id: 'b' }));
    expect(keyOf(7)).toBe(keyOf('7'));
  });
});

describe('planIngest: a trigger without a value the journey reads', () => {
  const orders = {
    start: 'wait',
    steps: {
      wait: {
        type: 'waitForEvent' as const,
        event: 'Order Shipped',
        match: { 'event.properties.orderId': 'trigger.properties.orderId' },
        timeout: 'P1D',
        onEvent: 'done',
        onTimeout: 'done',
      },
      done: { type: 'exit' as const },
    },
  };

  it('is counted as an entry skipped (missing), not started and not silently dropped', () => {
    // act
    const plan = planIngest({ event: go, userId: 'u', state: state(), journeys: [live(orders)], now });
    // assert
    expect(plan.enroll).toEqual([]);
    expect(plan.skip.map((s) => s.reason)).toEqual(['missing']);
  });

  it("counts a context variable's missing value under its own reason (context)", () => {
    // arrange
    const withContext = live({
      context: { orderId: { type: 'string', from: 'trigger.properties.orderId' } },
    });
    // act
    const plan = planIngest({ event: go, userId: 'u', state: state(), journeys: [withContext], now });
    // assert
    expect(plan.enroll).toEqual([]);
    expect(plan.skip.map((s) => s.reason)).toEqual(['context']);
  });

  it('enrolls when the value is there, and skips nothing when the trigger does not match anyway', () => {
    // arrange
    const withOrder = CustomerEvent.parse({ ...go, properties: { orderId: 'o-1' } });
    const excluded = live({ ...orders, audience: { path: 'profile.traits.plan', eq: 'free' } });
    // act
    const enrolled = planIngest({
      event: withOrder,
      userId: 'u',
      state: state(),
      journeys: [live(orders)],
      now,
    });
    const outside = planIngest({ event: go, userId: 'u', state: state(), journeys: [excluded], now });
    // assert
    expect(enrolled.enroll).toHaveLength(1);
    expect(enrolled.skip).toEqual([]);
    expect(outside.enroll).toEqual([]);
    expect(outside.skip).toEqual([]);
  });
});

describe('planIngest: a goal stamped before the entry', () => {
  const order = (timestamp: string) =>
    CustomerEvent.parse({
      type: 'track',
      userId: 'u',
      event: 'Done',
      messageId: 'm4',
      timestamp,
      properties: {},
    });
  // Entered on Nov 1 at noon (the trigger's own time), its window open until Nov 8.
  const entered = { ...active, enteredAt: '2026-11-01T12:00:00.000Z', goalUntil: '2026-11-08T00:00:00.000Z' };
  const plan = (event: CustomerEvent, enrollment: ActiveEnrollment) =>
    planIngest({
      event,
      userId: 'u',
      state: state(),
      enrollments: [enrollment],
      journeys: [live({ goal: { event: 'Done', within: 'P7D', exit: true } })],
      now: new Date('2026-11-03T00:00:00Z'),
    }).finish.map((f) => ({ outcome: f.outcome, stop: f.stop, credit: f.credit }));

  it('neither converts nor ends the enrollment for an event that happened before it began', () => {
    // act: an order replayed on Nov 3 that was placed on Nov 1 at 11:59
    const replayed = plan(order('2026-11-01T11:59:59.999Z'), entered);
    // assert
    expect(replayed).toEqual([]);
  });

  it('converts with an event stamped at the entry or after it', () => {
    expect(plan(order('2026-11-01T12:00:00Z'), entered)).toEqual([
      { outcome: 'converted', stop: true, credit: undefined },
    ]);
    expect(plan(order('2026-11-02T12:00:00+02:00'), entered)).toEqual([
      { outcome: 'converted', stop: true, credit: undefined },
    ]);
  });

  it('converts an enrollment recorded before entry times were kept, whatever the stamp', () => {
    expect(plan(order('2026-10-01T00:00:00Z'), { ...active, goalUntil: '2026-11-08T00:00:00.000Z' })).toEqual(
      [{ outcome: 'converted', stop: true, credit: undefined }],
    );
  });
});

describe('planIngest: dates without an offset are the customer’s local time', () => {
  // 06:00 on the 24th in New York is 11:00Z, in the hour after now; as UTC it was four hours ago.
  const slot = { path: 'event.properties.pickupAt', withinNext: 'PT2H' };
  const booked = (messageId: string) =>
    CustomerEvent.parse({
      type: 'track',
      userId: 'u',
      event: 'Go',
      messageId,
      timestamp: '2026-11-24T10:00:00Z',
      properties: { pickupAt: '2026-11-24T06:00:00' },
    });

  it.each([
    { zone: 'America/New_York', enrolls: 1 },
    { zone: 'UTC', enrolls: 0 },
  ])('enters by a trigger filter read in the journey default zone $zone', ({ zone, enrolls }) => {
    // arrange: a customer without a zone of their own
    const journey = live({
      trigger: { type: 'event', event: 'Go', where: slot },
      settings: { defaultTimezone: zone },
    });
    // act
    const plan = planIngest({
      event: booked('m-zone'),
      userId: 'u',
      state: state(),
      journeys: [journey],
      now,
    });
    // assert
    expect(plan.enroll).toHaveLength(enrolls);
  });

  it.each([
    { zone: 'America/New_York', resumes: 1 },
    { zone: undefined, resumes: 0 },
  ])(
    'resumes a wait whose filter is read in the default zone it was registered with ($zone)',
    ({ zone, resumes }) => {
      // arrange
      const waiter = {
        enrollmentId: 'e1',
        journeyId: 'j',
        stepId: 'w',
        event: 'Go',
        where: slot,
        match: [],
        token: 't',
        startedAt: '2026-11-24T09:00:00Z',
        expiresAt: '2026-11-25T09:00:00Z',
        ...(zone === undefined ? {} : { defaultTimezone: zone }),
      };
      // act
      const plan = planIngest({
        event: booked('m-wait'),
        userId: 'u',
        state: state(),
        journeys: [],
        now,
        waiters: [waiter],
      });
      // assert
      expect(plan.resume).toHaveLength(resumes);
    },
  );
});
