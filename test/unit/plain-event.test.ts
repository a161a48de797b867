import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadInputs } from '#infra/simulate/cli/inputs.ts';
import { customerOf } from '#infra/simulate/scenario/customers.ts';
import { CustomerEvent, parseCustomerEvent, usableContext } from '#shared/events.ts';
import { plainCustomerEvent } from '#shared/plain-event.ts';

/**
 * An event read without the schema must be exactly what the schema makes of
 * it (the same members, in the same order), and only an event the schema
 * accepts may be read so: every problem is still the schema's to name.
 */

const text = fc.oneof(
  fc.constantFrom('Order Completed', 'Cart Updated', 'sim-1', 'x', 'anon:42', 'a b', '~!'),
  fc.constantFrom(
    ' Order Completed',
    'Order Completed ',
    '',
    '   ',
    'José',
    'Jose\u0301',
    'a\tb',
    'a\u0000b',
  ),
  fc.constantFrom('\ud800', 'x'.repeat(200), 'x'.repeat(201), 'y'.repeat(1024), 'y'.repeat(1025)),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
const scalar = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(2 ** 60),
);
const json = fc.jsonValue({ maxDepth: 2 });
const member = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 4 }),
  fc.record({
    timezone: fc.constantFrom('Europe/Rome', 'GMT+0530', 7),
    locale: fc.constantFrom('it-IT', 'no', 1),
  }),
  fc.constant({ device: { token: 't', type: 'ios' } }),
  fc.constant(Object.assign(Object.create(null), { plan: 'pro' })),
  fc.constant(JSON.parse('{"__proto__": {"x": 1}, "y": 2}')),
  fc.constant({ [Symbol('s')]: 1, a: 1 }),
  fc.constant(new Map([['a', 1]])),
  fc.constant([1, 2]),
  fc.constant({ traits: { email: 'a@example.com' } }),
  scalar,
);
const utcStamp = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const stamp = fc.oneof(
  utcStamp,
  fc.constantFrom('2026-03-02T10:00:00Z', '2026-03-02T10:00:00.000+01:00', '2026-03-02T10:00:00.000+0100'),
  fc.constantFrom(
    '2026-02-30T00:00:00.000Z',
    '2026-03-02 10:00:00',
    '1999-12-31T23:59:59.999Z',
    1764000000000,
  ),
);

/** A member of the event: absent (undefined here, left out below), or present with one of `values`. */
const maybe = <T>(values: fc.Arbitrary<T>) =>
  fc.option(fc.oneof(values, fc.constant(undefined)), { nil: undefined, freq: 3 });
/** Mostly `usual`, often enough anything else. */
const mostly = <T, U>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: other, weight: 1 });
const plainText = fc.stringMatching(/^[!-~][ -~]{0,8}$/);
const plainMember = fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 4 });

const events = fc
  .record({
    type: mostly(fc.constantFrom('track', 'identify'), fc.constantFrom('page', undefined, 'alias')),
    event: mostly(plainText, maybe(text)),
    properties: mostly(plainMember, maybe(member)),
    traits: mostly(plainMember, maybe(member)),
    userId: mostly(plainText, maybe(scalar)),
    anonymousId: mostly(fc.constant(undefined), fc.oneof(plainText, maybe(scalar))),
    messageId: mostly(plainText, maybe(fc.oneof(text, scalar))),
    timestamp: mostly(utcStamp, maybe(stamp)),
    context: mostly(fc.constant(undefined), maybe(member)),
    channel: maybe(text),
    present: fc.uniqueArray(
      fc.constantFrom('event', 'properties', 'traits', 'userId', 'anonymousId', 'context'),
    ),
    // An identify call has no event name or properties (most of the time, here).
    identifyAlone: fc.boolean(),
  })
  .map(({ present, identifyAlone, ...members }) => {
    const event: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(members))
      if (value !== undefined || (present as string[]).includes(key)) event[key] = value;
    if (identifyAlone && event.type === 'identify') {
      delete event.event;
      delete event.properties;
    }
    return event;
  });

/** Events of the plain shape, which must be read without the schema. */
const plainEvents = fc.record({
  type: fc.constantFrom('track', 'identify'),
  userId: fc.constantFrom('sim-1', 'customer 7', '42'),
  messageId: fc.constantFrom('m-1', 'sim-7-3-entry'),
  timestamp: fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('9999-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  traits: fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 4 }),
  context: fc.constantFrom({}, { timezone: 'Europe/Rome', ip: '10.0.0.1' }, { locale: 'bad locale!' }),
});

function expectSchemaAnswer(event: Record<string, unknown>): boolean {
  const plain = plainCustomerEvent(event, usableContext);
  if (plain === undefined) return false;
  const parsed = CustomerEvent.safeParse(event);
  expect(parsed.success).toBe(true);
  expect(plain).toStrictEqual(parsed.data);
  // The same members in the same order, all the way down.
  expect(JSON.stringify(plain)).toBe(JSON.stringify(parsed.data));
  expect(Object.keys(plain)).toEqual(Object.keys(parsed.data ?? {}));
  return true;
}

describe('customer events of the plain shape', () => {
  it('are read as the schema reads them, and only when it accepts them', () => {
    let plain = 0;
    let runs = 0;
    fc.assert(
      fc.property(events, (event) => {
        runs += 1;
        if (expectSchemaAnswer(event)) plain += 1;
      }),
      { numRuns: 3000 },
    );
    // The generator reaches the plain shape often enough for the comparison to mean something.
    expect(plain).toBeGreaterThan(runs / 40);
  });

  it('are read without the schema when plain, and the same through parseCustomerEvent', () => {
    fc.assert(
      fc.property(plainEvents, (generated) => {
        const event: Record<string, unknown> =
          generated.type === 'track'
            ? { ...generated, event: 'Order Completed', properties: generated.traits, traits: undefined }
            : generated;
        if (event.traits === undefined) delete event.traits;
        expect(expectSchemaAnswer(event)).toBe(true);
        const parsed = CustomerEvent.safeParse(event);
        expect(parseCustomerEvent(event)).toStrictEqual(
          parsed.success ? parseCustomerEvent(JSON.parse(JSON.stringify(event))) : undefined,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('include every event a simulation sends', async () => {
    const loaded = await loadInputs(
      'journeys/cart-abandonment.json',
      'journeys/simulations/cart-abandonment.json',
    );
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    for (let index = 0; index < 200; index++)
      for (const { event } of customerOf(loaded.inputs.scenario, index, 200).events)
        expect(expectSchemaAnswer(event as Record<string, unknown>)).toBe(true);
  });
});
