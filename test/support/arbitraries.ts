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

const value = fc.oneof(scalar, fc.constantFrom({ from: 'trigger.properties.plan' }, { from: 'trigger.messageId' }));

const makers: StepMaker[] = [
  (next) =>
    fc.record({
      type: fc.constantFrom('email', 'sms', 'push'),
      template: name,
      onFailure: fc.constantFrom('continue', 'exit'),
      next,
    }),
  (next) =>
    fc.oneof(
      fc.record({ type: fc.constant('wait'), for: duration, next }),
      fc.record({ type: fc.constant('wait'), until: fc.constant('2027-03-01T09:00:00+01:00'), next }),
      fc.record({
        type: fc.constant('wait'),
        untilDate: fc.record({ path: fc.constant('profile.traits.renewalDate'), offset: fc.constantFrom('-P3D', 'P1D') }),
        window: fc.constant({ start: '09:00', end: '11:00', weekdays: ['mon' as const, 'fri' as const] }),
        next,
      }),
    ),
  (next) =>
    fc.record({
      type: fc.constant('waitForEvent'),
      event: fc.constantFrom('Order Completed', 'App Opened'),
      match: fc.constant({ 'event.properties.cartId': 'trigger.properties.cartId' }),
      timeout: duration,
      onEvent: next,
      onTimeout: next,
    }),
  (next) =>
    fc.record({
      type: fc.constant('branch'),
      branches: fc.array(fc.record({ when: condition, next }), { minLength: 1, maxLength: 3 }),
      otherwise: next,
    }),
  (next) =>
    fc
      .array(fc.integer({ min: 1, max: 10 }), { minLength: 2, maxLength: 4 })
      .chain((parts) => {
        const total = parts.reduce((a, b) => a + b, 0);
        const weights = parts.map((p) => Math.floor((p * 100) / total));
        weights[0] = (weights[0] ?? 0) + 100 - weights.reduce((a, b) => a + b, 0);
        return fc.tuple(...weights.map((weight, i) => fc.record({ name: fc.constant(`v${i}`), weight: fc.constant(weight), holdout: fc.boolean(), next })));
      })
      .map((variants) => ({ type: 'split' as const, variants })),
  (next) =>
    fc.record({
      type: fc.constant('updateProfile'),
      set: fc.dictionary(segment, value, { maxKeys: 2 }),
      increment: fc.dictionary(segment, fc.integer({ min: 1, max: 5 }), { maxKeys: 1 }),
      unset: fc.array(segment, { maxLength: 1 }),
      next,
    }),
  (next) => fc.record({ type: fc.constant('emit'), event: name, properties: fc.dictionary(segment, value, { maxKeys: 2 }), next }),
];

/** A valid journey of `min`..`max` working steps plus the exits they lead to. */
export function journeyArbitrary(min = 1, max = 12): fc.Arbitrary<Journey> {
  return fc.integer({ min, max }).chain((count) => {
    const ids = Array.from({ length: count }, (_, i) => `s${i}`);
    const exits = ['done', 'left'];
    const steps = ids.map((_, i) => {
      const later = fc.constantFrom(...ids.slice(i + 1), ...exits);
      return fc.integer({ min: 0, max: makers.length - 1 }).chain((k) => (makers[k] ?? makers[0])(later));
    });
    return fc.tuple(...steps, fc.constantFrom('continue', 'exit')).map((built) => {
      const stepMap: Record<string, StepInput> = { done: { type: 'exit', reason: 'done' }, left: { type: 'exit' } };
      ids.forEach((id, i) => {
        const step = built[i];
        if (typeof step === 'object') stepMap[id] = step;
      });
      const input: JourneyInput = {
        id: 'generated',
        name: 'Generated',
        trigger: { type: 'event', event: 'Cart Updated' },
        settings: { quietHours: { start: '21:00', end: '08:00' }, onFailure: built[count] === 'exit' ? 'exit' : 'continue' },
        start: 's0',
        steps: stepMap,
      };
      return Journey.parse(input);
    });
  });
}
