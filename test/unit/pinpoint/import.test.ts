import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { activityOfPath, importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { validateJourney } from '#shared/journey/validate.ts';

const fixture = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(new URL(`../../fixtures/pinpoint/${name}`, import.meta.url), 'utf8'));

/** The imported journey validated with the templates the import lists for it. */
const validatedWithItsTemplates = (result: Extract<ReturnType<typeof importPinpointJourney>, { ok: true }>) =>
  validateJourney(result.journey, {
    templates: new Map(result.templates.map((t) => [t.name, t.template.channel])),
  });

const imported = async (name: string) => {
  const result = importPinpointJourney(await fixture(name));
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.problems)}`);
  return result;
};

describe('importPinpointJourney: fixtures', () => {
  it.each(['cart-abandonment.json', 'winback-segment.json'])(
    '%s validates with the templates it lists, and compiles',
    async (name) => {
      // arrange
      const { journey, templates } = await imported(name);
      const catalog = new Map(templates.map((t) => [t.name, t.template.channel]));
      // act
      const checked = validateJourney(journey, { templates: catalog });
      // assert
      expect(checked.ok ? [] : checked.violations).toEqual([]);
      if (checked.ok) expect(Object.keys(compile(checked.journey).States).length).toBeGreaterThan(0);
    },
  );

  it('maps the event-started cart journey', async () => {
    const { journey, templates } = await imported('cart-abandonment.json');
    expect(journey.id).toBe('cart-abandonment-eu');
    expect(journey.status).toBe('active');
    expect(journey.trigger).toStrictEqual({
      type: 'event',
      event: 'Cart Updated',
      where: {
        all: [
          { path: 'event.properties.currency', eq: 'EUR' },
          { path: 'event.properties.total', gte: 20 },
        ],
      },
    });
    expect(journey.reentry).toStrictEqual({ mode: 'after', cooldown: 'P1D' });
    expect(journey.settings).toStrictEqual({
      defaultTimezone: 'Etc/GMT-1',
      startAt: '2025-03-05T00:00:00Z',
      endAt: '2026-10-30T00:00:00Z',
      quietHours: { start: '21:00', end: '08:00' },
      caps: [{ max: 3, within: 'P1D' }],
    });
    expect(journey.start).toBe('a1b2c3d4wait');
    expect(journey.steps['a-9a8b-ordered']).toStrictEqual({
      type: 'waitForEvent',
      event: 'Order Completed',
      where: { path: 'event.properties.total', gt: 0 },
      timeout: 'P1D',
      onEvent: 'thanks-sms',
      onTimeout: 'engagement',
    });
    expect(journey.steps.engagement).toMatchObject({ type: 'wait', for: 'PT12H', next: 'engagement-check' });
    expect(journey.steps['engagement-check']).toMatchObject({
      type: 'branch',
      branches: [
        { when: { performed: 'Product Viewed', within: 'PT12H' }, next: 'ab-test' },
        { when: { path: 'profile.traits.pinpointSegments', contains: '8f2e1c0b7a6d4e3f9a1b2c3d4e5f6a7b' } },
      ],
      otherwise: 'control',
    });
    expect(journey.steps.control).toStrictEqual({
      type: 'split',
      variants: [
        { name: 'holdout', weight: 10, next: 'end', holdout: true },
        { name: 'continue', weight: 90, next: 'discount-email' },
      ],
    });
    expect(journey.steps['crm-sync']).toMatchObject({ type: 'emit', event: 'Pinpoint Custom Activity' });
    expect(journey.steps['vip-push']).toMatchObject({ type: 'push', timeToLive: 'PT3600S', next: 'end' });
    expect(templates.map((t) => `${t.name}:${t.template.channel}`)).toEqual([
      'CartDiscount:email',
      'CartReminder:email',
      'OrderThanks:sms',
      'VipOffer:push',
    ]);
  });

  it('maps the segment-started journey with quiet time and limits', async () => {
    const { journey, notes } = await imported('winback-segment.json');
    expect(journey.status).toBe('draft');
    expect(journey.trigger).toStrictEqual({
      type: 'segment',
      schedule: 'rate(7 days)',
      segment: { path: 'profile.traits.pinpointSegments', contains: '2b7d0e4f61a94c8e8f5a3c1d9e7b6a50' },
    });
    expect(journey.reentry).toStrictEqual({ mode: 'once' });
    expect(journey.settings).toMatchObject({
      defaultTimezone: 'Asia/Kolkata',
      startAt: '2026-01-05T03:30:00Z',
      quietHours: { start: '22:00', end: '07:30' },
      // TotalCap 4: over the journey's life in Pinpoint, a rolling 366 days here.
      caps: [
        { max: 1, within: 'P1D' },
        { max: 4, within: 'P366D' },
      ],
    });
    // The contact-center call is not imported: customers go on to the activity after it.
    expect(journey.steps['call-them']).toBeUndefined();
    expect(journey.steps.orphan).toMatchObject({ type: 'email', next: 'end' });
    expect(journey.steps['opened-check']).toMatchObject({ otherwise: 'orphan' });
    expect(journey.steps['sale-sms']).toMatchObject({ template: 'WinBack-sms', originationNumber: 'ACME' });
    expect(journey.steps['welcome-back']).toMatchObject({ template: 'WinBack-email' });
    const paths = notes.map((n) => n.path);
    for (const path of [
      'StartCondition.SegmentStartCondition.SegmentId',
      'Limits.TotalCap',
      'Limits.MessagesPerSecond',
      'WaitForQuietTime',
      'Schedule.Timezone',
      'Activities.call-them.ContactCenter',
      'Activities.sale-sms.SMS.MessageConfig.EntityId',
      'Activities.sale-sms.SMS.MessageConfig.TemplateId',
      'Activities["opened?"].ConditionalSplit.Condition.Conditions[1].EventCondition.MessageActivity',
    ])
      expect(paths).toContain(path);
  });

  it('is deterministic', async () => {
    const input = await fixture('cart-abandonment.json');
    expect(importPinpointJourney(input)).toStrictEqual(importPinpointJourney(input));
  });
});

describe('importPinpointJourney: a draft with no activities yet', () => {
  it.each([
    ['no Activities', { Name: 'Draft', State: 'DRAFT' }],
    ['empty Activities, wrapped', { JourneyResponse: { Name: 'Draft', Activities: {}, Id: 'j' } }],
  ])('%s: says there is nothing to import, not that it is no Pinpoint journey', (_label, input) => {
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toEqual([
        { path: expect.stringMatching(/Activities$/), message: expect.stringContaining('no activities yet') },
      ]);
  });
});

describe('importPinpointJourney: inputs it refuses, with the place of the problem', () => {
  const wait = { Wait: { WaitTime: { WaitFor: 'PT1H' } } };
  const base = {
    Name: 'J',
    StartActivity: 'w',
    Activities: { w: wait },
    StartCondition: { SegmentStartCondition: { SegmentId: 's' } },
  };
  it.each([
    ['not an object', [1, 2], '(file)'],
    ['a Journeys file', { id: 'x', trigger: {}, steps: {} }, '(file)'],
    [
      'no StartActivity, wrapped',
      { JourneyResponse: { ...base, StartActivity: undefined } },
      'JourneyResponse.StartActivity',
    ],
    [
      'a dangling NextActivity',
      { ...base, Activities: { w: { Wait: { WaitTime: { WaitFor: 'PT1H' }, NextActivity: 'zz' } } } },
      'Activities.w.Wait.NextActivity',
    ],
    ['an unknown StartActivity', { ...base, StartActivity: 'nope' }, 'StartActivity'],
    [
      'an activity with two types',
      { ...base, Activities: { w: { ...wait, Holdout: { Percentage: 5 } } } },
      'Activities.w',
    ],
    ['no start condition', { ...base, StartCondition: undefined }, 'StartCondition'],
    [
      'a bad wait duration',
      { ...base, Activities: { w: { Wait: { WaitTime: { WaitFor: '1 hour' } } } } },
      'Activities.w.Wait.WaitTime.WaitFor',
    ],
    ['an invalid --id', base, '(id)', 'Bad Id'],
  ])('%s', (_label, input, path, id?: string) => {
    const result = importPinpointJourney(input, { id });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.path)).toContain(path);
  });
});

describe('importPinpointJourney: what a problem says', () => {
  const start = {
    EventStartCondition: { EventFilter: { Dimensions: { EventType: { Values: ['Signed Up'] } } } },
  };

  it('names a wrong type with the value given, not as missing', () => {
    // act
    const result = importPinpointJourney({ Name: 5, Activities: [], StartActivity: {} });
    // assert
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => `${p.path}: ${p.message.replace(/ \(expected.*$/, '')}`)).toStrictEqual([
      'Name: must be a string, got the number 5',
      'Activities: must be an object, got a list',
      'StartActivity: must be a string, got an empty object',
    ]);
  });

  it('names an activity called __proto__ instead of reporting it missing', () => {
    // JSON.parse keeps the key as data; an object literal would not.
    const input: unknown = JSON.parse(
      JSON.stringify({
        Name: 'P',
        StartActivity: 'a',
        StartCondition: start,
        Activities: { a: { EMAIL: { TemplateName: 'T', NextActivity: 'PROTO' } } },
      }).replace('"a":{"EMAIL"', '"__proto__":{"Wait":{"WaitTime":{"WaitFor":"PT1H"}}},"a":{"EMAIL"'),
    );
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok ? [] : result.problems).toStrictEqual([
      {
        path: 'Activities.__proto__',
        message: '"__proto__" cannot be a key: JavaScript reserves it, and it would be dropped.',
      },
    ]);
  });

  it('reads a wait of zero as no wait: a Wait activity waits PT0S, a split evaluates at once', () => {
    // arrange
    const input = {
      Name: 'At once',
      StartActivity: 'w',
      StartCondition: start,
      Activities: {
        w: { Wait: { WaitTime: { WaitFor: 'PT0S' }, NextActivity: 'split' } },
        split: {
          MultiCondition: {
            EvaluationWaitTime: { WaitFor: 'PT0S' },
            Branches: [{ Condition: { SegmentCondition: { SegmentId: 's1' } } }],
          },
        },
      },
    };
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.steps.w).toStrictEqual({ type: 'wait', for: 'PT0S', next: 'split' });
    expect(result.journey.steps.split?.type).toBe('branch');
    expect(validateJourney(result.journey).ok).toBe(true);
  });

  it('calls a negative wait negative, not malformed', () => {
    const result = importPinpointJourney({
      Name: 'Back',
      StartActivity: 'w',
      StartCondition: start,
      Activities: { w: { Wait: { WaitTime: { WaitFor: '-PT1H' } } } },
    });
    expect(result.ok ? [] : result.problems).toContainEqual({
      path: 'Activities.w.Wait.WaitTime.WaitFor',
      message: '"-PT1H" is negative; a wait lasts zero or more.',
    });
  });
});

describe('importPinpointJourney: an activity that cannot be mapped', () => {
  const journey = (activities: Record<string, unknown>, start: string) => ({
    Name: 'Broken step',
    StartActivity: start,
    StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
    Activities: activities,
  });

  it.each(['toString', 'valueOf', 'constructor', 'hasOwnProperty'])(
    'is named when its id is %s, a name every plain object has',
    (id) => {
      // arrange
      const input = journey(
        { mail: { EMAIL: { TemplateName: 'M', NextActivity: id } }, [id]: { Wait: {} } },
        'mail',
      );
      // act
      const result = importPinpointJourney(input);
      // assert: the unfinished wait is its own step, named by its id, not a function every object has
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      expect(result.notes.map((n) => n.path)).toContain(`Activities.${id}.Wait.WaitTime`);
      expect(result.activities.get(id)).toBe(id);
    },
  );

  it('of a type the import does not know is named with that type, and what it knows', () => {
    // arrange: a type Pinpoint may add, or a typo of one it has
    const input = journey(
      { call: { VOICE: { NextActivity: 'mail' } }, mail: { EMAIL: { TemplateName: 'M' } } },
      'call',
    );
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        path: 'Activities.call',
        message: expect.stringMatching(
          /^VOICE is not an activity type the import knows \(EMAIL, SMS, PUSH, CUSTOM, Wait,/,
        ),
      },
    ]);
  });

  it.each([
    [
      'an invalid FromAddress',
      {
        EMAIL: { TemplateName: 'M', MessageConfig: { FromAddress: 'not an address' }, NextActivity: 'later' },
      },
      'from',
    ],
    [
      'an event name longer than events may have',
      {
        ConditionalSplit: {
          Condition: {
            Conditions: [
              {
                EventCondition: {
                  Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: ['x'.repeat(300)] } },
                },
              },
            ],
          },
          EvaluationWaitTime: { WaitFor: 'P1D' },
          TrueActivity: 'later',
        },
      },
      'event',
    ],
  ])(
    'with %s is written as given, named with the field, and the journey does not validate until it is fixed',
    (_, mail, field) => {
      // arrange: one activity whose step does not validate, before one that does
      const input = journey({ mail, later: { SMS: { TemplateName: 'S' } } }, 'mail');
      // act
      const result = importPinpointJourney(input);
      // assert: nothing else is lost, the activity after it is kept, and the note names the activity and field
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      expect(Object.keys(result.journey.steps)).toEqual(expect.arrayContaining(['mail', 'later']));
      const note = result.notes.find((n) => n.path === 'Activities.mail');
      expect(note?.message).toContain(field);
      expect(note?.message).not.toContain('No path');
      const checked = validatedWithItsTemplates(result);
      expect(checked.ok).toBe(false);
      if (!checked.ok)
        expect(checked.violations.map((v) => activityOfPath(v.path, result.activities))).toContain('mail');
    },
  );
});

describe('importPinpointJourney: BEFORE / AFTER / BETWEEN on a value that is no date', () => {
  it.each([
    ['AFTER', ['last week']],
    ['BEFORE', ['06/01/2024']],
    ['BETWEEN', ['2025-01-01T00:00:00Z', 'INCLUSIVE']],
  ])('%s %j: the filter is met by no event, with a note, and the journey validates', (type, values) => {
    // arrange
    const input = {
      Name: 'Dated',
      StartActivity: 'mail',
      StartCondition: {
        EventStartCondition: {
          EventFilter: {
            Dimensions: {
              EventType: { DimensionType: 'INCLUSIVE', Values: ['Signup'] },
              Attributes: { when: { AttributeType: type, Values: values } },
            },
          },
        },
      },
      Activities: { mail: { EMAIL: { TemplateName: 'M' } } },
    };
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const checked = validateJourney(result.journey);
    expect(checked.ok ? [] : checked.violations).toEqual([]);
    expect(result.notes.map((n) => n.path)).toContain(
      'StartCondition.EventStartCondition.EventFilter.Dimensions.Attributes.when',
    );
  });
});

describe('importPinpointJourney: a journey ACTIVE in Pinpoint', () => {
  it('imports as active with a note that the Pinpoint journey must be stopped, or customers get both', () => {
    // arrange
    const input = {
      Name: 'Running',
      State: 'ACTIVE',
      StartActivity: 'mail',
      StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
      Activities: { mail: { EMAIL: { TemplateName: 'M' } } },
    };
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.journey.status).toBe('active');
    const note = result.notes.find((n) => n.path === 'State');
    expect(note?.message).toContain('stop it in Pinpoint');
  });
});

describe('importPinpointJourney: a WaitTime with both WaitFor and WaitUntil', () => {
  it.each([
    [
      'Wait',
      { Wait: { WaitTime: { WaitFor: 'PT1H', WaitUntil: '2026-01-01T00:00:00Z' } } },
      'Activities.x.Wait.WaitTime',
    ],
    [
      'ConditionalSplit',
      {
        ConditionalSplit: {
          Condition: { Conditions: [{ SegmentCondition: { SegmentId: 's2' } }] },
          EvaluationWaitTime: { WaitFor: 'PT1H', WaitUntil: '2026-01-01T00:00:00Z' },
        },
      },
      'Activities.x.ConditionalSplit.EvaluationWaitTime',
    ],
  ])('%s: the WaitFor is kept and the WaitUntil left out is said', (_type, activity, at) => {
    // arrange
    const input = {
      Name: 'Both',
      StartActivity: 'x',
      StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
      Activities: { x: activity },
    };
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.journey.steps.x).toMatchObject({ type: 'wait', for: 'PT1H' });
    expect(result.notes.map((n) => n.path)).toContain(`${at}.WaitUntil`);
  });
});

describe('importPinpointJourney: a push TimeToLive of 0', () => {
  it('stays "now or never" (the shortest time to live), not the provider default of weeks', () => {
    // arrange
    const input = {
      Name: 'Flash',
      StartActivity: 'x',
      StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
      Activities: { x: { PUSH: { TemplateName: 'P', MessageConfig: { TimeToLive: '0' } } } },
    };
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.journey.steps.x).toMatchObject({ type: 'push', timeToLive: 'PT1S' });
    expect(validateJourney(result.journey).ok).toBe(true);
    const note = result.notes.find((n) => n.path === 'Activities.x.PUSH.MessageConfig.TimeToLive');
    expect(note?.message).not.toContain('not a number');
  });
});

describe('importPinpointJourney: a multivariate split on what the email before it did', () => {
  it('becomes the email step onOutcome, its branches in order, the default as next, and validates', () => {
    // arrange
    const outcome = (type: string) => ({
      EventCondition: {
        MessageActivity: 'mail',
        Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: [type] } },
      },
    });
    const input = {
      Name: 'Engaged',
      StartActivity: 'mail',
      StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
      Activities: {
        mail: { EMAIL: { TemplateName: 'M', NextActivity: 'mc' } },
        mc: {
          MultiCondition: {
            EvaluationWaitTime: { WaitFor: 'P1D' },
            Branches: [
              { Condition: outcome('_email.click'), NextActivity: 'clicked' },
              { Condition: outcome('_email.open'), NextActivity: 'opened' },
              { Condition: outcome('_email.hardbounce') },
            ],
            DefaultActivity: 'other',
          },
        },
        clicked: { SMS: { TemplateName: 'C' } },
        opened: { SMS: { TemplateName: 'O' } },
        other: { SMS: { TemplateName: 'N' } },
      },
    };
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.journey.steps.mail).toMatchObject({
      type: 'email',
      next: 'other',
      onOutcome: {
        within: 'P1D',
        branches: [
          { outcome: 'clicked', next: 'clicked' },
          { outcome: 'opened', next: 'opened' },
          { outcome: 'bounced', next: 'end' },
        ],
      },
    });
    expect(Object.keys(result.journey.steps)).not.toContain('mc');
    const checked = validateJourney(result.journey);
    expect(checked.ok ? [] : checked.violations).toEqual([]);
    expect(result.notes.map((n) => n.path)).toContain('Activities.mc.MultiCondition');
  });
});

describe('importPinpointJourney: a split on one of several events', () => {
  it('checks every event of the condition after the wait, as Pinpoint did, not the first only', () => {
    // arrange
    const input = {
      Name: 'Either',
      StartActivity: 'x',
      StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
      Activities: {
        x: {
          ConditionalSplit: {
            Condition: {
              Conditions: [
                {
                  EventCondition: {
                    Dimensions: {
                      EventType: { DimensionType: 'INCLUSIVE', Values: ['Purchase', 'Subscribe'] },
                    },
                  },
                },
              ],
            },
            EvaluationWaitTime: { WaitFor: 'P1D' },
          },
        },
      },
    };
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.journey.steps['x-check']).toMatchObject({
      type: 'branch',
      branches: [
        {
          when: {
            any: [
              { performed: 'Purchase', within: 'P1D' },
              { performed: 'Subscribe', within: 'P1D' },
            ],
          },
        },
      ],
    });
    expect(validateJourney(result.journey).ok).toBe(true);
    expect(result.notes.map((n) => n.message).join('\n')).not.toContain('Only the first event');
  });
});

describe('importPinpointJourney: a journey that starts on any of several events', () => {
  it('is refused with the reason, rather than starting on the first event alone', async () => {
    // act
    const result = importPinpointJourney(await fixture('several-start-events.json'));
    // assert
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        path: 'JourneyResponse.StartCondition.EventStartCondition.EventFilter.Dimensions.EventType.Values',
        message:
          'The journey starts on any of "Signed Up", "Order Completed"; a journey here starts on one event. Import it once per event: copy the export, keep one name in Values in each copy, and import each with its own --id.',
      },
    ]);
  });
});

describe('importPinpointJourney: a contact-center call on the path', () => {
  it('is left out with a note, and customers go on to the activity after it, as in Pinpoint', async () => {
    // act
    const { journey, notes, templates } = await imported('contact-center.json');
    // assert: email → (call) → wait → (call, then another) → the end
    expect(journey.start).toBe('reminder');
    expect(journey.steps.reminder).toMatchObject({ type: 'email', next: 'pause' });
    expect(journey.steps.pause).toMatchObject({ type: 'wait', for: 'P1D', next: 'end' });
    expect(Object.keys(journey.steps).sort()).toEqual(['end', 'pause', 'reminder']);
    expect(notes.filter((n) => n.path.endsWith('.ContactCenter'))).toEqual([
      {
        path: 'Activities.call-first.ContactCenter',
        message:
          'The contact-center call (Amazon Connect) is not imported: customers go on to step "pause", as in Pinpoint after the call.',
      },
      {
        path: 'Activities.call-last.ContactCenter',
        message:
          'The contact-center call (Amazon Connect) is not imported: customers go on to the end of the journey, as in Pinpoint after the call.',
      },
      {
        path: 'Activities.call-second.ContactCenter',
        message:
          'The contact-center call (Amazon Connect) is not imported: customers go on to the end of the journey, as in Pinpoint after the call.',
      },
    ]);
    const catalog = new Map(templates.map((t) => [t.name, t.template.channel]));
    expect(validateJourney(journey, { templates: catalog }).ok).toBe(true);
  });
});

describe('importPinpointJourney: activity ids in other scripts', () => {
  it('become readable step ids: transliterated, else named after what the activity does; unique and the same on every import', async () => {
    // act
    const input = await fixture('non-latin-ids.json');
    const { journey } = await imported('non-latin-ids.json');
    // assert
    expect(journey.start).toBe('email');
    expect(Object.keys(journey.steps).sort()).toEqual([
      'Begrussung',
      'Kalimera',
      'Privet',
      'email',
      'end',
      'sms',
      'sms-2',
      'wait',
      'wait-2',
    ]);
    expect(journey.steps.email).toMatchObject({ next: 'wait' });
    expect(journey.steps.wait).toMatchObject({ next: 'wait-2' });
    expect(journey.steps['wait-2']).toMatchObject({ next: 'Privet' });
    expect(importPinpointJourney(input)).toStrictEqual(importPinpointJourney(input));
  });
});

describe('importPinpointJourney: the activity each step came from', () => {
  it('names the activity of every step, the wait and the branch a split becomes alike', () => {
    // arrange
    const input = {
      Name: 'Origins',
      StartActivity: 'Проверка',
      StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
      Activities: {
        Проверка: {
          ConditionalSplit: {
            Condition: { Conditions: [{ SegmentCondition: { SegmentId: 's2' } }] },
            EvaluationWaitTime: { WaitFor: 'PT1H' },
            TrueActivity: 'mail',
          },
        },
        mail: { EMAIL: { TemplateName: 'Hi' } },
      },
    };
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(Object.keys(result.journey.steps).sort()).toEqual(['Proverka', 'Proverka-check', 'end', 'mail']);
    expect([...result.activities].sort()).toEqual([
      ['Proverka', 'Проверка'],
      ['Proverka-check', 'Проверка'],
      ['mail', 'mail'],
    ]);
    expect(activityOfPath('steps.Proverka-check.otherwise', result.activities)).toBe('Проверка');
    expect(activityOfPath('steps.end', result.activities)).toBeUndefined();
    expect(activityOfPath('settings.quietHours', result.activities)).toBeUndefined();
  });
});

describe('importPinpointJourney: loops', () => {
  const looping = (activities: Record<string, unknown>) => ({
    Name: 'Weekly nudge',
    StartActivity: 'waitweek',
    StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
    Schedule: { StartTime: '2026-01-01T00:00:00Z', EndTime: '2026-06-01T00:00:00Z', Timezone: 'UTC' },
    Activities: activities,
  });

  it('refuses a loop with no way out, naming its Pinpoint activities and why', () => {
    // arrange: Wait → EMAIL → back to the Wait, nothing leaves
    const input = looping({
      waitweek: { Wait: { WaitTime: { WaitFor: 'P7D' }, NextActivity: 'nudge' } },
      nudge: { EMAIL: { TemplateName: 'Nudge', NextActivity: 'waitweek' } },
    });
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.path).toBe('Activities.waitweek');
    expect(result.problems[0]?.message).toMatch(
      /^Customers go round "waitweek" → "nudge" → back to "waitweek" with no way out: Pinpoint kept them there until the journey ended \(Schedule.EndTime 2026-06-01T00:00:00Z\)/,
    );
  });

  it('imports a loop with a way out, and it validates', () => {
    // arrange: Wait → EMAIL → a split on the app being opened: back to the Wait, or out
    const input = looping({
      waitweek: { Wait: { WaitTime: { WaitFor: 'P7D' }, NextActivity: 'nudge' } },
      nudge: { EMAIL: { TemplateName: 'Nudge', NextActivity: 'opened' } },
      opened: {
        ConditionalSplit: {
          Condition: {
            Conditions: [{ EventCondition: { Dimensions: { EventType: { Values: ['app.open'] } } } }],
          },
          EvaluationWaitTime: { WaitFor: 'P1D' },
          FalseActivity: 'waitweek',
        },
      },
    });
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const catalog = new Map(result.templates.map((t) => [t.name, t.template.channel]));
    const checked = validateJourney(result.journey, { templates: catalog });
    expect(checked.ok ? [] : checked.violations).toEqual([]);
  });
});

describe('importPinpointJourney: an activity a draft left unfinished', () => {
  it.each([
    ['a Wait without WaitTime', { Wait: { NextActivity: 'later' } }, 'Activities.draft.Wait.WaitTime'],
    [
      'a yes/no split without conditions',
      { ConditionalSplit: { TrueActivity: 'later' } },
      'Activities.draft.ConditionalSplit.Condition.Conditions',
    ],
    [
      'a multivariate split without branches',
      { MultiCondition: { DefaultActivity: 'later' } },
      'Activities.draft.MultiCondition.Branches',
    ],
    ['a random split without branches', { RandomSplit: {} }, 'Activities.draft.RandomSplit.Branches'],
  ])(
    'keeps the rest of the journey when it has %s: the step is written unfinished, named, and does not validate',
    (_, draft, field) => {
      // arrange: the console saves a DRAFT journey with activities not yet configured
      const input = {
        Name: 'Draft',
        State: 'DRAFT',
        StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
        StartActivity: 'first',
        Activities: {
          first: { EMAIL: { TemplateName: 'Hi', NextActivity: 'draft' } },
          draft,
          later: { SMS: { TemplateName: 'Later' } },
        },
      };
      // act
      const result = importPinpointJourney(input);
      // assert
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      expect(result.notes.map((n) => n.path)).toContain(field);
      expect(result.journey.steps.first).toMatchObject({ type: 'email', next: 'draft' });
      // the activity it leads to, where it names one, is kept too
      if (JSON.stringify(draft).includes('later')) expect(result.journey.steps).toHaveProperty('later');
      const checked = validatedWithItsTemplates(result);
      expect(checked.ok).toBe(false);
      if (!checked.ok)
        expect(checked.violations.map((v) => activityOfPath(v.path, result.activities))).toContain('draft');
    },
  );
});

describe('importPinpointJourney: a random split over 100 that the last path cannot make up', () => {
  it('keeps the percentages as given, with a note, and the journey does not validate until they are fixed', () => {
    // arrange
    const input = {
      Name: 'Over',
      StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
      StartActivity: 'ab',
      Activities: {
        ab: {
          RandomSplit: {
            Branches: [{ Percentage: 50, NextActivity: 'later' }, { Percentage: 60 }, { Percentage: 10 }],
          },
        },
        later: { SMS: { TemplateName: 'Later' } },
      },
    };
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.steps.ab).toMatchObject({
      variants: [{ weight: 50 }, { weight: 60 }, { weight: 10 }],
    });
    expect(result.notes.find((n) => n.path === 'Activities.ab.RandomSplit.Branches')?.message).toContain(
      '120',
    );
    const checked = validatedWithItsTemplates(result);
    expect(checked.ok ? [] : checked.violations.map((v) => v.path)).toContain('steps.ab.variants');
  });
});
