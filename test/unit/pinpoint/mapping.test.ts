import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { StepIds, slugify } from '#infra/cli/import-pinpoint/ids.ts';
import { importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import { rateFromDuration, toTimestamp, zoneFromPinpoint } from '#infra/cli/import-pinpoint/time.ts';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import { Condition } from '#shared/conditions/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';

describe('zoneFromPinpoint', () => {
  it.each([
    ['UTC', 'UTC', false],
    ['UTC+01', 'Etc/GMT-1', false],
    ['UTC-05', 'Etc/GMT+5', false],
    ['UTC+05:30', 'Asia/Kolkata', true],
    ['Europe/Rome', 'Europe/Rome', false],
    ['Mars/Olympus', 'UTC', true],
  ])('%s → %s', (text, zone, noted) => {
    const mapped = zoneFromPinpoint(text);
    expect(mapped.zone).toBe(zone);
    expect(mapped.note !== undefined).toBe(noted);
  });

  // Every value the Pinpoint API documents for Schedule.Timezone.
  const documented =
    'UTC+01 UTC+02 UTC+03 UTC+03:30 UTC+04 UTC+04:30 UTC+05 UTC+05:30 UTC+05:45 UTC+06 UTC+06:30 UTC+07 UTC+08 UTC+08:45 UTC+09 UTC+09:30 UTC+10 UTC+10:30 UTC+11 UTC+12 UTC+12:45 UTC+13 UTC+13:45 UTC-02 UTC-02:30 UTC-03 UTC-03:30 UTC-04 UTC-05 UTC-06 UTC-07 UTC-08 UTC-09 UTC-09:30 UTC-10 UTC-11'.split(
      ' ',
    );
  it.each(documented)('%s becomes a zone that keeps that offset (at least part of the year)', (text) => {
    const mapped = zoneFromPinpoint(text);
    const [, sign = '+', hours = '0', minutes = '0'] = /^UTC([+-])(\d{2})(?::(\d{2}))?$/.exec(text) ?? [];
    const offset = (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
    const offsets = ['2026-01-15T12:00:00Z', '2026-07-15T12:00:00Z'].map(
      (at) => DateTime.fromISO(at, { zone: mapped.zone }).offset,
    );
    expect(offsets).toContain(offset);
    if (offsets.some((o) => o !== offset)) expect(mapped.note).toMatch(/daylight saving|part of the year/);
  });
});

describe('time conversions', () => {
  it.each([
    ['PT15M', 'rate(15 minutes)'],
    ['PT1H', 'rate(1 hour)'],
    ['P1D', 'rate(1 day)'],
    ['P7D', 'rate(7 days)'],
    ['PT90M', 'rate(90 minutes)'],
  ])('refresh %s → %s', (iso, rate) => expect(rateFromDuration(iso)).toBe(rate));

  it.each([
    ['2026-01-05T09:00:00', 'Etc/GMT-1', '2026-01-05T08:00:00Z'],
    ['2026-01-05T09:00:00.000Z', 'Asia/Kolkata', '2026-01-05T09:00:00Z'],
    ['not a date', 'UTC', undefined],
  ])('timestamp %s in %s → %s', (text, zone, out) => expect(toTimestamp(text, zone)).toBe(out));
});

describe('ids', () => {
  it('makes valid, unique step ids from arbitrary activity ids', () => {
    const ids = new StepIds();
    expect(['9abc', 'send email!', 'send-email', 'x'.repeat(80), '???'].map((a) => ids.allocate(a))).toEqual([
      'a-9abc',
      'send-email',
      'send-email-2',
      'x'.repeat(56),
      'a',
    ]);
  });

  it.each([
    ['Cart abandonment (EU)', 'cart-abandonment-eu'],
    ['Ünïcode   Journey!', 'unicode-journey'],
    ['***', 'imported-journey'],
    ['Begrüßung', 'begrussung'],
    ['Добро пожаловать', 'dobro-pozhalovat'],
    ['Καλωσόρισμα', 'kalosorisma'],
  ])('slugify %s → %s', (name, slug) => expect(slugify(name)).toBe(slug));

  it('says when a journey name leaves nothing of itself in the id', () => {
    const result = importPinpointJourney({
      ...journeyWith({ start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } }),
      Name: 'ようこそ',
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.id).toBe('imported-journey');
    expect(result.notes).toContainEqual({ path: 'Name', message: expect.stringContaining('Give --id') });
  });
});

const journeyWith = (activities: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Name: 'Test',
  StartActivity: 'start',
  StartCondition: {
    EventStartCondition: {
      EventFilter: { Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: ['Signed Up'] } } },
    },
  },
  Activities: activities,
  ...extra,
});

describe('activity mapping details', () => {
  it('adjusts random split weights that do not add up to 100, with a note', () => {
    const result = importPinpointJourney(
      journeyWith({ start: { RandomSplit: { Branches: [{ Percentage: 30 }, { Percentage: 30 }] } } }),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.steps.start).toMatchObject({ variants: [{ weight: 30 }, { weight: 70 }] });
    expect(result.notes.map((n) => n.path)).toContain('Activities.start.RandomSplit.Branches');
  });

  it.each([
    ['INCLUSIVE one', { AttributeType: 'INCLUSIVE', Values: ['a'] }, { path: 'event.properties.k', eq: 'a' }],
    [
      'EXCLUSIVE',
      { AttributeType: 'EXCLUSIVE', Values: ['a', 'b'] },
      { not: { path: 'event.properties.k', in: ['a', 'b'] } },
    ],
    ['CONTAINS', { AttributeType: 'CONTAINS', Values: ['x'] }, { path: 'event.properties.k', contains: 'x' }],
    [
      'BEFORE',
      { AttributeType: 'BEFORE', Values: ['2026-01-01'] },
      // Pinpoint compared in UTC: a day without an offset is pinned to its UTC midnight.
      { path: 'event.properties.k', lt: '2026-01-01T00:00:00Z' },
    ],
    [
      'BETWEEN',
      { AttributeType: 'BETWEEN', Values: ['2026-01-01', '2026-01-31T23:59:59Z'] },
      {
        all: [
          { path: 'event.properties.k', gte: '2026-01-01T00:00:00Z' },
          { path: 'event.properties.k', lte: '2026-01-31T23:59:59Z' },
        ],
      },
    ],
  ])('trigger attribute filter %s', (_label, dimension, where) => {
    const input = journeyWith(
      { start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
      {
        StartCondition: {
          EventStartCondition: {
            EventFilter: {
              Dimensions: { EventType: { Values: ['Signed Up'] }, Attributes: { k: dimension } },
            },
          },
        },
      },
    );
    const result = importPinpointJourney(input);
    expect(result.ok && result.journey.trigger).toStrictEqual({ type: 'event', event: 'Signed Up', where });
  });

  it('notes every unknown field instead of dropping it silently', () => {
    const result = importPinpointJourney(
      journeyWith(
        { start: { Wait: { WaitTime: { WaitFor: 'PT1H' }, Surprise: 1 }, Extra: true } },
        { JourneyChannelSettings: {} },
      ),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.notes.map((n) => n.path)).toEqual(
      expect.arrayContaining([
        'JourneyChannelSettings',
        'Activities.start.Extra',
        'Activities.start.Wait.Surprise',
      ]),
    );
  });
  /** `plan` INCLUSIVE ["pro"] on a profile: the trait "pro", or a list holding it (Pinpoint attributes are lists). */
  const planIsPro = {
    any: [
      { path: 'profile.traits.plan', eq: 'pro' },
      {
        all: [
          { not: { path: 'profile.traits.plan', startsWith: '' } },
          { path: 'profile.traits.plan', contains: 'pro' },
        ],
      },
    ],
  };

  it('reads segment dimensions under the name the Pinpoint API uses, segmentDimensions', () => {
    // arrange: a yes/no split as the REST API returns it
    const condition = {
      segmentDimensions: { UserAttributes: { plan: { AttributeType: 'INCLUSIVE', Values: ['pro'] } } },
    };
    const input = journeyWith({
      start: {
        ConditionalSplit: {
          Condition: { Conditions: [condition], Operator: 'ALL' },
          EvaluationWaitTime: { WaitFor: 'PT0S' },
        },
      },
    });
    // act
    const result = importPinpointJourney(input);
    // assert: the condition, not one no customer meets
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.steps.start).toMatchObject({
      type: 'branch',
      branches: [{ when: planIsPro }],
    });
    expect(result.notes).toEqual([]);
  });

  it.each([
    ['utm.source', "event.properties['utm.source']"],
    ['prénom', 'event.properties.prénom'],
    ['名前', 'event.properties.名前'],
    ['price (USD)', "event.properties['price (USD)']"],
    ["customer's tier", String.raw`event.properties['customer\'s tier']`],
  ])('writes the attribute name %j as a path that reads it', (name, path) => {
    // arrange
    const input = journeyWith(
      { start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
      {
        StartCondition: {
          EventStartCondition: {
            EventFilter: {
              Dimensions: {
                EventType: { Values: ['Signed Up'] },
                Attributes: { [name]: { AttributeType: 'INCLUSIVE', Values: ['news'] } },
              },
            },
          },
        },
      },
    );
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.trigger).toMatchObject({ where: { path, eq: 'news' } });
    expect(result.notes).toEqual([]);
    const trigger = result.journey.trigger;
    if (trigger.type !== 'event') throw new Error(trigger.type);
    const event = { properties: { [name]: 'news' } };
    expect(evaluateCondition(Condition.parse(trigger.where), { event, now: new Date(0) })).toBe(true);
  });

  it('imports a timeframe cap as a cap over that many days', () => {
    // act
    const result = importPinpointJourney(
      journeyWith(
        { start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
        { Limits: { DailyCap: 2, TimeframeCap: { Cap: 5, Days: 7 } } },
      ),
    );
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.settings?.caps).toEqual([
      { max: 2, within: 'P1D' },
      { max: 5, within: 'P7D' },
    ]);
    expect(result.notes.map((n) => n.path)).not.toContain('Limits.TimeframeCap');
    // Pinpoint counted this journey's messages only; caps here count every journey's.
    expect(result.notes.find((n) => n.path === 'Limits')?.message).toMatch(/every journey/);
  });
  it('imports a re-entry cap above 1 as an entry limit', () => {
    // act
    const result = importPinpointJourney(
      journeyWith(
        { start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
        { Limits: { EndpointReentryCap: 3, EndpointReentryInterval: 'P7D' } },
      ),
    );
    // assert: re-entry after the interval, at most 3 entries, said in a note, and a journey that validates
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.reentry).toEqual({ mode: 'after', cooldown: 'P7D' });
    expect(result.journey.trigger).toMatchObject({ limit: { max: 3, per: 'P366D' } });
    expect(result.notes.map((n) => n.path)).toContain('Limits.EndpointReentryCap');
    const checked = validateJourney(result.journey);
    expect(checked.ok ? [] : checked.violations).toEqual([]);
  });
  it('imports a re-entry interval of zero as re-entry at once, not as a value it cannot read', () => {
    // act
    const result = importPinpointJourney(
      journeyWith(
        { start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
        { Limits: { EndpointReentryCap: 0, EndpointReentryInterval: 'PT0S' } },
      ),
    );
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.reentry).toEqual({ mode: 'always' });
    expect(result.notes.filter((n) => n.path === 'Limits.EndpointReentryInterval')).toEqual([]);
  });
  it('keeps the segment part of an event condition that also has segmentDimensions', () => {
    // arrange: "ordered within a day, and on the pro plan"
    const condition = {
      EventCondition: { Dimensions: { EventType: { Values: ['Order Completed'] } } },
      segmentDimensions: { UserAttributes: { plan: { AttributeType: 'INCLUSIVE', Values: ['pro'] } } },
    };
    const input = journeyWith({
      start: {
        ConditionalSplit: { Condition: { Conditions: [condition] }, EvaluationWaitTime: { WaitFor: 'P1D' } },
      },
    });
    // act
    const result = importPinpointJourney(input);
    // assert: a branch on both after the wait, not a wait for the event alone
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(Object.values(result.journey.steps)).toContainEqual(
      expect.objectContaining({
        type: 'branch',
        branches: [
          expect.objectContaining({
            when: {
              all: [{ performed: 'Order Completed', within: 'P1D' }, planIsPro],
            },
          }),
        ],
      }),
    );
  });

  it('says when an event condition counts the whole history (an evaluation time given as a date)', () => {
    // arrange
    const input = journeyWith({
      start: {
        ConditionalSplit: {
          Condition: {
            Conditions: [{ EventCondition: { Dimensions: { EventType: { Values: ['Bought'] } } } }],
          },
          EvaluationWaitTime: { WaitUntil: '2026-06-01T10:00:00Z' },
        },
      },
    });
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.notes.map((n) => n.message).join('\n')).toContain('whole history');
  });
});

describe('yes/no splits on what a message did', () => {
  const messageEvent = (activity: string, ...events: string[]) => ({
    EventCondition: {
      MessageActivity: activity,
      Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: events } },
    },
  });
  const split = (conditions: unknown[], operator = 'ALL') => ({
    ConditionalSplit: {
      Condition: { Conditions: conditions, Operator: operator },
      EvaluationWaitTime: { WaitFor: 'P2D' },
      TrueActivity: 'yes',
      FalseActivity: 'no',
    },
  });
  const rest = { yes: { EMAIL: { TemplateName: 'Yes' } }, no: { EMAIL: { TemplateName: 'No' } } };

  it.each([
    ['_email.open', 'opened'],
    ['_email.click', 'clicked'],
    ['_email.delivered', 'delivered'],
  ])('%s of the email just before becomes its onOutcome %s', (event, outcome) => {
    // arrange
    const input = journeyWith({
      start: { EMAIL: { TemplateName: 'Hi', NextActivity: 'check' } },
      check: split([messageEvent('start', event)]),
      ...rest,
    });
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.steps.start).toStrictEqual({
      type: 'email',
      template: 'Hi',
      onOutcome: { within: 'P2D', branches: [{ outcome, next: 'yes' }] },
      next: 'no',
    });
    expect(result.journey.steps.check).toBeUndefined();
    expect(result.notes.map((n) => n.path)).toContain('Activities.check.ConditionalSplit');
    expect(
      validateJourney(result.journey, {
        templates: new Map([
          ['Hi', 'email'],
          ['Yes', 'email'],
          ['No', 'email'],
        ]),
      }).ok,
    ).toBe(true);
  });

  it('opened ANY clicked of one email is one branch on either outcome; an SMS delivery likewise', () => {
    const input = journeyWith({
      start: { EMAIL: { TemplateName: 'Hi', NextActivity: 'check' } },
      check: split([messageEvent('start', '_email.open'), messageEvent('start', '_email.click')], 'ANY'),
      yes: { SMS: { TemplateName: 'Text', NextActivity: 'sms-check' } },
      'sms-check': {
        ConditionalSplit: {
          ...split([messageEvent('yes', '_SMS.SUCCESS')]).ConditionalSplit,
          TrueActivity: undefined,
          FalseActivity: 'no',
        },
      },
      no: { EMAIL: { TemplateName: 'No' } },
    });
    const result = importPinpointJourney(input);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.steps.start).toMatchObject({
      onOutcome: { branches: [{ outcome: ['opened', 'clicked'], next: 'yes' }] },
    });
    expect(result.journey.steps.yes).toMatchObject({
      onOutcome: { within: 'P2D', branches: [{ outcome: 'delivered', next: 'end' }] },
      next: 'no',
    });
  });

  it.each([
    [
      'another way leads into the split',
      { other: { Wait: { WaitTime: { WaitFor: 'PT1H' }, NextActivity: 'check' } } },
      [messageEvent('start', '_email.open')],
      'ALL',
    ],
    ['the split asks about another message', {}, [messageEvent('yes', '_email.open')], 'ALL'],
    [
      'opened AND clicked',
      {},
      [messageEvent('start', '_email.open'), messageEvent('start', '_email.click')],
      'ALL',
    ],
    ['an event Pinpoint has no outcome for here', {}, [messageEvent('start', '_email.softbounce')], 'ALL'],
    [
      'a wait stands between the email and the split',
      {
        start: { EMAIL: { TemplateName: 'Hi', NextActivity: 'pause' } },
        pause: { Wait: { WaitTime: { WaitFor: 'P1D' }, NextActivity: 'check' } },
      },
      [messageEvent('start', '_email.open')],
      'ALL',
    ],
  ])('is refused with a note naming the message activity when %s', (_label, more, conditions, operator) => {
    // arrange
    const input = journeyWith({
      start: { EMAIL: { TemplateName: 'Hi', NextActivity: 'check' } },
      check: split(conditions, operator),
      ...rest,
      ...more,
    });
    // act
    const result = importPinpointJourney(input);
    // assert: every customer would take the "no" path, as delivery feedback is not a customer event
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.steps.start).not.toHaveProperty('onOutcome');
    const note = result.notes.find((n) =>
      /^Activities\.check\.ConditionalSplit\.Condition\.Conditions\[\d\]\.EventCondition\.MessageActivity$/.test(
        n.path,
      ),
    );
    expect(note?.message).toMatch(/message activity "(start|yes)".*The condition is refused/);
    const branch = Object.values(result.journey.steps).find((step) => step.type === 'branch');
    const when = Condition.parse(branch?.type === 'branch' ? branch.branches[0]?.when : undefined);
    expect(
      evaluateCondition(when, {
        profile: { events: { '_email.open': { count: 1, first: 'x', last: 'x' } } },
        now: new Date(0),
      }),
    ).toBe(false);
  });
});

describe('date attribute filters keep their meaning', () => {
  const triggerWhere = (dimension: unknown) => {
    const result = importPinpointJourney(
      journeyWith(
        { start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
        {
          StartCondition: {
            EventStartCondition: {
              EventFilter: {
                Dimensions: { EventType: { Values: ['Signed Up'] }, Attributes: { day: dimension } },
              },
            },
          },
        },
      ),
    );
    if (!result.ok || result.journey.trigger.type !== 'event') throw new Error('not imported');
    // The journey as a deploy reads it: the filter parsed as a condition.
    const where = Condition.parse(result.journey.trigger.where);
    return (day: string) =>
      evaluateCondition(where, { event: { properties: { day } }, now: new Date('2026-01-01T00:00:00Z') });
  };

  it.each([
    ['2026-12-25T10:00:00Z', true],
    ['2026-12-25', true],
    ['2026-12-26T01:00:00+02:00', true], // 23:00 on the 25th in UTC
    ['2026-12-25T23:30:00-05:00', false], // the 26th in UTC
    ['2026-12-24T23:59:59Z', false],
    ['2026-12-26T00:00:00Z', false],
  ])('ON 2026-12-25: %s → %s (Pinpoint reads instants, ignoring the time)', (value, expected) => {
    // arrange
    const matches = triggerWhere({ AttributeType: 'ON', Values: ['2026-12-25T00:00:00.000Z'] });
    // act + assert
    expect(matches(value)).toBe(expected);
  });
});

describe('an event-started journey limited to a segment', () => {
  it('lets only members of the segment enter (an audience), never everyone who sends the event', () => {
    // arrange
    const input = journeyWith(
      { start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
      {
        StartCondition: {
          EventStartCondition: {
            SegmentId: 'vip',
            EventFilter: { Dimensions: { EventType: { Values: ['Signed Up'] } } },
          },
        },
      },
    );
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.audience).toStrictEqual({
      path: 'profile.traits.pinpointSegments',
      contains: 'vip',
    });
    expect(result.notes.map((n) => n.path)).toContain('StartCondition.EventStartCondition.SegmentId');
    expect(validateJourney(result.journey).ok).toBe(true);
  });
});

describe('template names', () => {
  it('gives two Pinpoint templates whose names reduce to the same file name a file each', () => {
    // arrange: "Promo A" and "Promo/A" both reduce to Promo-A
    const input = journeyWith({
      start: { EMAIL: { TemplateName: 'Promo A', NextActivity: 'second' } },
      second: { EMAIL: { TemplateName: 'Promo/A', NextActivity: 'third' } },
      third: { EMAIL: { TemplateName: 'Promo A' } },
    });
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const first = result.journey.steps.start;
    const second = result.journey.steps.second;
    const third = result.journey.steps.third;
    if (first?.type !== 'email' || second?.type !== 'email' || third?.type !== 'email')
      throw new Error('not emails');
    expect(first.template).not.toBe(second.template);
    expect(third.template).toBe(first.template);
    expect(result.templates.map((t) => t.name).sort()).toEqual([first.template, second.template].sort());
  });
});

describe('quiet time and the schedule in local time', () => {
  const imported = (extra: Record<string, unknown>) => {
    const result = importPinpointJourney(
      journeyWith({ start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } }, extra),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return new Map(result.notes.map((n) => [n.path, n.message]));
  };
  const quiet = { QuietTime: { Start: '21:00', End: '08:00' } };

  it.each([
    ['not set (Pinpoint: false)', {}, true],
    ['false', { WaitForQuietTime: false }, true],
    ['true', { WaitForQuietTime: true }, false],
  ])('WaitForQuietTime %s: the deferral is noted when Pinpoint skipped', (_label, extra, noted) => {
    const notes = imported({ ...quiet, ...extra });
    expect(notes.has('WaitForQuietTime')).toBe(noted);
  });

  it('a quiet time that starts and ends at the same minute (22:00–22:00) held back that minute only: no quiet hours, noted, and the journey validates', () => {
    // arrange
    const input = journeyWith(
      { start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
      { QuietTime: { Start: '22:00', End: '22:00' } },
    );
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.settings?.quietHours).toBeUndefined();
    const notes = new Map(result.notes.map((n) => [n.path, n.message]));
    expect(notes.get('QuietTime')).toMatch(/22:00–22:00 starts and ends at the same minute/);
    expect(notes.has('WaitForQuietTime')).toBe(false);
    const checked = validateJourney(result.journey);
    expect(checked.ok ? [] : checked.violations).toEqual([]);
  });

  it('notes that quiet time now also holds for customers without a time zone', () => {
    expect(imported({ ...quiet, WaitForQuietTime: true }).get('QuietTime')).toMatch(/without a time zone/);
  });

  it("notes that a schedule Pinpoint read in each participant's zone is one instant here", () => {
    const notes = imported({
      LocalTime: true,
      Schedule: { StartTime: '2026-01-05T09:00:00', Timezone: 'UTC' },
    });
    expect(notes.get('LocalTime')).toMatch(/each participant/);
    expect(imported({ LocalTime: true }).has('LocalTime')).toBe(false);
    // LocalTime is about the schedule only: quiet time was always each participant's, as here.
    expect(
      imported({ ...quiet, LocalTime: false, Schedule: { StartTime: '2026-01-05T09:00:00' } }).has(
        'LocalTime',
      ),
    ).toBe(false);
  });
});

describe('attribute values, which Pinpoint kept as text', () => {
  const segmentWhere = (dimension: unknown) => {
    const result = importPinpointJourney(
      journeyWith({
        start: {
          ConditionalSplit: {
            Condition: {
              Conditions: [{ segmentDimensions: { UserAttributes: { v: dimension } } }],
            },
            EvaluationWaitTime: { WaitFor: 'PT0S' },
          },
        },
      }),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const step = result.journey.steps.start;
    if (step?.type !== 'branch') throw new Error('not a branch');
    const when = Condition.parse(step.branches[0]?.when);
    return (v: unknown) => evaluateCondition(when, { profile: { traits: { v } }, now: new Date(0) });
  };

  it.each([
    ['INCLUSIVE', ['3'], 3, true],
    ['INCLUSIVE', ['3'], '3', true],
    ['INCLUSIVE', ['true'], true, true],
    ['INCLUSIVE', ['true', 'yes'], true, true],
    ['INCLUSIVE', ['3'], 4, false],
    ['INCLUSIVE', ['3.50'], 3.5, false],
    ['EXCLUSIVE', ['false'], false, false],
    ['EXCLUSIVE', ['0'], 0, false],
    ['EXCLUSIVE', ['0'], 1, true],
  ])(
    '%s %j matches the trait %j: %s (a number or true/false written as text is that value)',
    (type, values, trait, expected) => {
      expect(segmentWhere({ AttributeType: type, Values: values })(trait)).toBe(expected);
    },
  );
});

describe('sending schedule: OpenHours and ClosedDays', () => {
  const wait = { start: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } };
  const days = (names: string[], start = '09:00', end = '17:00') =>
    Object.fromEntries(names.map((d) => [d, [{ StartTime: start, EndTime: end }]]));
  const WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
  const imported = (extra: Record<string, unknown>) => {
    const result = importPinpointJourney(journeyWith(wait, { SendingSchedule: true, ...extra }));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return {
      settings: result.journey.settings,
      notes: result.notes.filter((n) => /^(OpenHours|ClosedDays)/.test(n.path)),
    };
  };

  it('one window on weekdays only: quiet hours from its end to its start, and a note naming the closed days', () => {
    const { settings, notes } = imported({
      OpenHours: { EMAIL: days(WEEK.slice(0, 5)), SMS: days(WEEK.slice(0, 5)) },
    });
    expect(settings?.quietHours).toStrictEqual({ start: '17:00', end: '09:00' });
    expect(notes).toHaveLength(1);
    expect(notes[0]?.path).toBe('OpenHours.EMAIL');
    expect(notes[0]?.message).toContain('SATURDAY, SUNDAY had no open hours');
  });

  it('a window that opens and closes at the same minute (09:00–09:00) sets no quiet hours, noted, and the journey validates', () => {
    // arrange
    const input = journeyWith(wait, {
      SendingSchedule: true,
      OpenHours: { EMAIL: days(WEEK, '09:00', '09:00') },
    });
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.settings?.quietHours).toBeUndefined();
    const note = result.notes.find((n) => n.path === 'OpenHours.EMAIL');
    expect(note?.message).toMatch(/09:00–09:00 open and close at the same minute/);
    const checked = validateJourney(result.journey);
    expect(checked.ok ? [] : checked.violations).toEqual([]);
  });

  it('names what it cannot set: windows that differ by channel or by day, and every closed period', () => {
    const byChannel = imported({ OpenHours: { EMAIL: days(WEEK), SMS: days(WEEK, '10:00') } });
    const byDay = imported({
      OpenHours: { EMAIL: { ...days(WEEK), SUNDAY: [{ StartTime: '12:00', EndTime: '14:00' }] } },
    });
    const closed = imported({
      ClosedDays: {
        EMAIL: [{ Name: 'Christmas', StartDateTime: '2026-12-24T00:00', EndDateTime: '2026-12-26T23:59' }],
        SMS: [{ StartDateTime: '2026-12-31T00:00', EndDateTime: '2027-01-01T23:59' }],
      },
    });

    for (const { settings } of [byChannel, byDay]) expect(settings?.quietHours).toBeUndefined();
    expect(byChannel.notes.map((n) => n.path)).toStrictEqual(['OpenHours.SMS']);
    expect(byChannel.notes[0]?.message).toContain('differ by channel');
    expect(byDay.notes[0]?.message).toContain('SUNDAY 12:00–14:00');
    expect(closed.notes.map((n) => n.path)).toStrictEqual(['ClosedDays.EMAIL[0]', 'ClosedDays.SMS[0]']);
    expect(closed.notes[0]?.message).toContain('"Christmas" (2026-12-24T00:00 to 2026-12-26T23:59, EMAIL)');
    const off = importPinpointJourney(journeyWith(wait, { OpenHours: { EMAIL: days(WEEK) } }));
    expect(off.ok && off.journey.settings?.quietHours).toBeUndefined();
    expect(off.ok && off.notes.find((n) => n.path === 'OpenHours')?.message).toContain('SendingSchedule');
  });
});

describe('a filter the import cannot carry never takes in what Pinpoint did not', () => {
  const now = new Date('2026-01-01T01:00:00Z');
  const bought = { count: 1, first: '2026-01-01T00:30:00Z', last: '2026-01-01T00:30:00Z' };
  const signedUp = (dimensions: Record<string, unknown>) => ({
    StartCondition: {
      EventStartCondition: {
        EventFilter: { Dimensions: { EventType: { Values: ['Signed Up'] }, ...dimensions } },
      },
    },
  });
  const mail = { EMAIL: { TemplateName: 'M' } };
  const branchOn = (condition: unknown) => ({
    start: {
      MultiCondition: { Branches: [{ Condition: condition, NextActivity: 'mail' }], DefaultActivity: '' },
    },
    mail,
  });
  const proPlan = { UserAttributes: { plan: { AttributeType: 'INCLUSIVE', Values: ['pro'] } } };

  /** Each case: the export, where its uncarried filter is, and a customer (or event) Pinpoint would have kept out. */
  const cases = [
    {
      name: 'trigger: ON a value that is no date',
      input: journeyWith(
        { start: mail },
        signedUp({
          Attributes: {
            plan: { Values: ['pro'] },
            day: { AttributeType: 'ON', Values: ['next Friday'] },
          },
        }),
      ),
      filter: 'StartCondition.EventStartCondition.EventFilter.Dimensions.Attributes.day',
      keptOut: { event: { properties: { plan: 'pro' } } },
    },
    {
      name: 'trigger: a metric compared with an operator Pinpoint does not list',
      input: journeyWith(
        { start: mail },
        signedUp({ Metrics: { items: { ComparisonOperator: 'NOT_EQUAL', Value: 1 } } }),
      ),
      filter: 'StartCondition.EventStartCondition.EventFilter.Dimensions.Metrics.items',
      keptOut: { event: { properties: { items: 1 } } },
    },
    {
      name: 'branch: a demographic dimension beside a user attribute',
      input: journeyWith(
        branchOn({ SegmentDimensions: { ...proPlan, Demographic: { Platform: { Values: ['ios'] } } } }),
      ),
      filter: 'Activities.start.MultiCondition.Branches[0].Condition.SegmentDimensions.Demographic',
      keptOut: { profile: { traits: { plan: 'pro' } } },
    },
    {
      name: 'branch: an event with attribute filters',
      input: journeyWith(
        branchOn({
          EventCondition: {
            Dimensions: {
              EventType: { Values: ['Purchase'] },
              Attributes: { sku: { Values: ['A'] } },
            },
          },
        }),
      ),
      filter: 'Activities.start.MultiCondition.Branches[0].Condition.EventCondition.Dimensions',
      keptOut: { profile: { events: { Purchase: bought } } },
    },
    {
      name: 'branch: any event except one, beside a user attribute',
      input: journeyWith(
        branchOn({
          EventCondition: { Dimensions: { EventType: { DimensionType: 'EXCLUSIVE', Values: ['Refund'] } } },
          SegmentDimensions: proPlan,
        }),
      ),
      filter: 'Activities.start.MultiCondition.Branches[0].Condition.EventCondition.Dimensions.EventType',
      keptOut: { profile: { traits: { plan: 'pro' }, events: { Refund: bought } } },
    },
  ];

  it.each(cases)('$name', ({ input, filter, keptOut }) => {
    // act
    const result = importPinpointJourney(input);
    // assert: the journey validates, its condition holds for no one the filter kept out, and the note says so
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const checked = validateJourney(result.journey);
    expect(checked.ok ? [] : checked.violations).toEqual([]);
    const { trigger, steps } = result.journey;
    const start = steps.start;
    const written =
      start?.type === 'branch'
        ? start.branches[0]?.when
        : trigger.type === 'event'
          ? trigger.where
          : undefined;
    const condition = Condition.parse(written);
    expect(evaluateCondition(condition, { profile: {}, ...keptOut, now })).toBe(false);
    expect(
      result.notes.filter((n) => n.path === filter && /no (customer|event) meets/i.test(n.message)),
    ).toHaveLength(1);
  });
});
