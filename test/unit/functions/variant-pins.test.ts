import { afterEach, describe, expect, it } from 'vitest';
import { inRuntimeScope, type RuntimeScope } from '#functions/_lib/runtime-scope.ts';
import { resetVariantPins, setVariantPins, withPinnedVariants } from '#functions/_lib/variant-pins.ts';
import { liveFields, variantOf } from '#shared/ingest/live-journey.ts';
import { planEntry } from '#shared/ingest/plan.ts';
import { Journey } from '#shared/journey/schema.ts';

const journey = Journey.parse({
  id: 'ab',
  name: 'AB',
  trigger: { type: 'event', event: 'Go' },
  start: 'split',
  steps: {
    split: {
      type: 'split',
      variants: [
        { name: 'A', weight: 30, next: 'done' },
        { name: 'none', weight: 0, next: 'done' },
        { name: 'B', weight: 60, next: 'done' },
        { name: 'control', weight: 10, next: 'done', holdout: true },
      ],
    },
    done: { type: 'exit' },
  },
});
const arn = 'arn:aws:states:eu-west-1:1:stateMachine:journey-ab';
const live = {
  ...liveFields(journey),
  version: '1',
  versionArn: `${arn}:1`,
  aliasArn: `${arn}:live`,
  stateMachineArn: arn,
};
const variants = live.splits.split ?? [];

function planFor(userId: string) {
  const plan = planEntry(live, {
    userId,
    triggerId: 'm1',
    now: new Date('2026-03-02T09:00:00Z'),
    reentry: {},
  });
  if (plan === undefined) throw new Error('no plan');
  return plan;
}

afterEach(resetVariantPins);

describe('withPinnedVariants: a pinned customer gets the variant asked for; everyone else draws', () => {
  it('gives each pinned variant a bucket it owns, whatever the customer hashes to', () => {
    for (const name of ['A', 'B', 'control']) {
      setVariantPins(new Map([['ana', new Map([['split', name]])]]));

      const pinned = withPinnedVariants(planFor('ana'), 'ana');

      expect(variantOf(variants, pinned.buckets.split ?? -1)).toBe(name);
    }
  });

  it('leaves the drawn bucket of other customers, of a weight-0 variant, and with no pins at all', () => {
    const drawn = planFor('bo');
    setVariantPins(
      new Map([
        ['ana', new Map([['split', 'A']])],
        ['bo', new Map([['split', 'none']])],
      ]),
    );
    expect(withPinnedVariants(drawn, 'bo').buckets).toStrictEqual(drawn.buckets);
    expect(withPinnedVariants(planFor('cy'), 'cy')).toStrictEqual(planFor('cy'));

    resetVariantPins();
    const ana = planFor('ana');
    expect(withPinnedVariants(ana, 'ana')).toBe(ana);
  });
});

describe('variant pins of two runtimes in one process', () => {
  it('reads the pins of the runtime an enrollment runs in, not those of the runtime set last', () => {
    // arrange: the first runtime pins ana to a variant she does not draw; a second, started after it, pins nobody
    const drawnVariant = variantOf(variants, planFor('ana').buckets.split ?? -1);
    const pin = drawnVariant === 'A' ? 'B' : 'A';
    const first: RuntimeScope = { env: {} };
    const second: RuntimeScope = { env: {} };
    inRuntimeScope(first, () => setVariantPins(new Map([['ana', new Map([['split', pin]])]])));
    inRuntimeScope(second, () => setVariantPins(new Map()));
    const drawn = planFor('ana');
    // act
    const inFirst = inRuntimeScope(first, () => withPinnedVariants(drawn, 'ana'));
    const inSecond = inRuntimeScope(second, () => withPinnedVariants(drawn, 'ana'));
    // assert
    expect(variantOf(variants, inFirst.buckets.split ?? -1)).toBe(pin);
    expect(inSecond).toBe(drawn);
    expect(withPinnedVariants(drawn, 'ana')).toBe(drawn);
  });
});
