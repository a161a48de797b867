import fc from 'fast-check';
import type { Condition } from '#shared/conditions/schema.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';

/**
 * fast-check arbitraries of valid journeys, built from the schema's step
 * types: steps form a DAG (every edge points to a later step, so no busy
 * loop), every path ends in an exit, waits stay within the year.
 */

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,11}$/);
const segment = fc.constantFrom('plan', 'total', 'cartId', 'country', 'score', 'vip');
const scalar = fc.oneof(fc.integer({ min: -5, max: 500 }), fc.constantFrom('a', 'pro', 'IT'), fc.boolean());
const duration = fc.constantFrom('PT30M', 'PT1H', 'P1D', 'P7D', 'P1M', 'P1Y');

const comparison: fc.Arbitrary<Condition> = fc
  .tuple(fc.constantFrom('profile.traits', 'trigger.properties', 'event.properties'), segment)
  .chain(([root, key]) => {
    const path = `${root}.${key}`;
    return fc.oneof(
      scalar.map((eq) => ({ path, eq })),
      scalar.map((ne) => ({ path, ne })),
      fc.integer({ min: 0, max: 100 }).map((gte) => ({ path, gte })),
      fc.array(scalar, { minLength: 1, maxLength: 3 }).map((values) => ({ path, in: values })),
      fc.constantFrom('p', 'x').map((startsWith) => ({ path, startsWith })),
      fc.boolean().map((exists) => ({ path, exists })),
      duration.map((within) => ({ path, within })),
    );
  });

const performed: fc.Arbitrary<Condition> = fc.record(
  { performed: fc.constantFrom('Order Completed', 'App Opened'), atLeast: fc.integer({ min: 1, max: 3 }) },
  { requiredKeys: ['performed'] },
);

export const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    performed,
    fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
    tie('c').map((not) => ({ not })),
  ),
})).c;

type StepInput = JourneyInput['steps'][string];
/** A step whose successors are chosen from `later` (ids of later steps). */
type StepMaker = (later: fc.Arbitrary<string>) => fc.Arbitrary<StepInput>;

const value = fc.oneof(
  scalar,
  fc.constantFrom({ from: 'trigger.properties.plan' }, { from: 'trigger.messageId' }),
);

const message: StepMaker = (next) =>
  fc
    .tuple(fc.constantFrom('email', 'sms', 'push'), name, fc.constantFrom('continue', 'exit'), next)
    .map(([type, template, onFailure, to]): StepInput => ({ type, template, onFailure, next: to }));

const wait: StepMaker = (next) =>
  fc.tuple(fc.integer({ min: 0, max: 2 }), duration, next).map(([kind, span, to]): StepInput => {
    if (kind === 0) return { type: 'wait', for: span, next: to };
    if (kind === 1) return { type: 'wait', until: '2027-03-01T09:00:00+01:00', next: to };
    return {
      type: 'wait',
      untilDate: { path: 'profile.traits.renewalDate', offset: '-P3D' },
      window: { start: '09:00', end: '11:00', weekdays: ['mon', 'fri'] },
      next: to,
    };
  });

const waitForEvent: StepMaker = (next) =>
  fc.tuple(fc.constantFrom('Order Completed', 'App Opened'), duration, next, next).map(
    ([event, timeout, onEvent, onTimeout]): StepInput => ({
      type: 'waitForEvent',
      event,
      match: { 'event.properties.cartId': 'trigger.properties.cartId' },
      timeout,
      onEvent,
      onTimeout,
    }),
  );

const branch: StepMaker = (next) =>
  fc
    .tuple(fc.array(fc.record({ when: condition, next }), { minLength: 1, maxLength: 3 }), next)
    .map(([branches, otherwise]): StepInput => ({ type: 'branch', branches, otherwise }));

const split: StepMaker = (next) =>
  fc
    .array(fc.integer({ min: 0, max: 10 }), { minLength: 2, maxLength: 4 })
    .filter((parts) => parts.some((p) => p > 0))
    .chain((parts) => {
      const total = parts.reduce((x, y) => x + y, 0);
      const weights = parts.map((p) => Math.floor((p * 100) / total));
      const first = weights.findIndex((w) => w > 0);
      weights[first] = (weights[first] ?? 0) + 100 - weights.reduce((x, y) => x + y, 0);
      return fc.tuple(...weights.map(() => fc.tuple(next, fc.boolean()))).map(
        (picked): StepInput => ({
          type: 'split',
          variants: picked.map(([to, holdout], i) => ({
            name: `v${i}`,
            weight: weights[i] ?? 0,
            holdout,
            next: to,
          })),
        }),
      );
    });

const updateProfile: StepMaker = (next) =>
  fc
    .tuple(
      fc.dictionary(segment, value, { maxKeys: 2 }),
      fc.dictionary(segment, fc.integer({ min: 1, max: 5 }), { maxKeys: 1 }),
      fc.array(segment, { minLength: 0, maxLength: 1 }),
      next,
    )
    .filter(
      ([set, increment, unset]) => Object.keys(set).length + Object.keys(increment).length + unset.length > 0,
    )
    .map(
      ([set, increment, unset, to]): StepInput => ({
        type: 'updateProfile',
        set,
        increment,
        unset,
        next: to,
      }),
    );

const emit: StepMaker = (next) =>
  fc
    .tuple(name, fc.dictionary(segment, value, { maxKeys: 2 }), next)
    .map(([event, properties, to]): StepInput => ({ type: 'emit', event, properties, next: to }));

const makers: StepMaker[] = [message, wait, waitForEvent, branch, split, updateProfile, emit];

/** A valid journey of `min`..`max` working steps plus the exits they lead to. */
export function journeyArbitrary(min = 1, max = 12): fc.Arbitrary<Journey> {
  return fc.integer({ min, max }).chain((count) => {
    const ids = Array.from({ length: count }, (_, i) => `s${i}`);
    const exits = ['done', 'left'];
    const steps = ids.map((_, i) => {
      const later = fc.constantFrom(...ids.slice(i + 1), ...exits);
      return fc.constantFrom(...makers).chain((make) => make(later));
    });
    return fc.tuple(...steps, fc.constantFrom('continue', 'exit')).map((built) => {
      const stepMap: Record<string, StepInput> = {
        done: { type: 'exit', reason: 'done' },
        left: { type: 'exit' },
      };
      ids.forEach((id, i) => {
        const step = built[i];
        if (typeof step === 'object') stepMap[id] = step;
      });
      const input: JourneyInput = {
        id: 'generated',
        name: 'Generated',
        trigger: { type: 'event', event: 'Cart Updated' },
        settings: {
          quietHours: { start: '21:00', end: '08:00' },
          onFailure: built[count] === 'exit' ? 'exit' : 'continue',
        },
        start: 's0',
        steps: stepMap,
      };
      return Journey.parse(input);
    });
  });
}
