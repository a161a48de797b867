import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { variantSplitOf } from '#shared/journey/variant-split.ts';
import {
  counterAttribute,
  counterSetKey,
  dayAttribute,
  daySetKey,
  isCounterSet,
  parseSetAttribute,
  priorSumAttribute,
  sumAttribute,
  valuedAttribute,
} from '#shared/stats/counter-sets.ts';
import { COUNTER_METRICS, type CounterKey, OUTCOMES, outcomeMetric } from '#shared/stats/keys.ts';
import { REASON_CODES, reasonCode } from '#shared/stats/reasons.ts';

/** Every code a deferral is counted with: what `reasonCode` makes of each kind of deferral's reason. */
const DEFERRAL_CODES = ['quiet hours', 'frequency cap', 'throttled', 'anything else'].map((reason) =>
  reasonCode('deferred', reason),
);

/**
 * Counter sets name each counter by an attribute of the item that keeps it:
 * whatever a step, variant or reason is called, it reads back as itself, and
 * the largest journey validation accepts keeps its items far under
 * DynamoDB's 400 KB.
 */

const NAMES = ['-', '--', '#', 'a#b', '+x', '%2D', '%', '', 'ünïcødé 🚀', '__proto__', 'constructor'];

function roundTrip(key: CounterKey, split: string | undefined) {
  const sk = counterSetKey(key, split);
  return {
    count: parseSetAttribute(sk, counterAttribute(key)),
    sum: parseSetAttribute(sk, sumAttribute(counterAttribute(key))),
    valued: parseSetAttribute(sk, valuedAttribute(counterAttribute(key))),
    priorSum: parseSetAttribute(sk, priorSumAttribute(counterAttribute(key))),
  };
}

describe('counter set attributes', () => {
  it.each(NAMES)(
    'a variant named %j reads back as itself, in the version item and in a step item',
    (variant) => {
      // arrange
      const key = { version: '3', stepId: 'ab', variant, metric: 'assigned' };
      // act
      const inVersion = roundTrip(key, 'ab');
      const inStep = roundTrip(key, 'other-split');
      // assert
      expect(counterSetKey(key, 'ab')).toBe('=v#3#ab');
      expect(counterSetKey(key, 'other-split')).toBe('=s#3#ab');
      for (const read of [inVersion, inStep]) {
        expect(read.count).toStrictEqual({ kind: 'counter', field: 'count', key });
        expect(read.sum).toStrictEqual({ kind: 'counter', field: 'sum', key });
        expect(read.valued).toStrictEqual({ kind: 'counter', field: 'valued', key });
        expect(read.priorSum).toStrictEqual({ kind: 'counter', field: 'priorSum', key });
      }
    },
  );

  it.each(NAMES.filter((n) => n !== ''))('a step %j and a reason %j read back as themselves', (name) => {
    // arrange
    const keys: CounterKey[] = [
      { version: name, stepId: name, metric: 'deferred', reason: name },
      { version: '1', stepId: name, metric: name },
      { version: '1', metric: 'entrySkipped', reason: name },
    ];
    for (const key of keys) {
      // act
      const read = roundTrip(key, undefined);
      // assert
      expect(read.count).toStrictEqual({ kind: 'counter', field: 'count', key });
    }
  });

  it('a journey counter stays the journey’s in a version item that holds a split', () => {
    // arrange
    const key = { version: '1', metric: 'enrolled' };
    // act
    const sk = counterSetKey(key, 'ab');
    // assert
    expect(sk).toBe('=v#1#ab');
    expect(parseSetAttribute(sk, counterAttribute(key))).toStrictEqual({
      kind: 'counter',
      field: 'count',
      key,
    });
  });

  it('day counters read back with and without a channel', () => {
    for (const key of [
      { day: '2026-11-24', metric: 'sent', channel: 'email' },
      { day: '2026-11-24', metric: 'converted' },
    ]) {
      expect(parseSetAttribute(daySetKey(key.day), dayAttribute(key))).toStrictEqual({
        kind: 'day',
        field: 'count',
        key,
      });
    }
  });

  it('reads nothing from the item’s keys and expiry, and tells the layouts apart', () => {
    for (const name of ['pk', 'sk', 'expiresAt', 'count', 'sum'])
      expect(parseSetAttribute('=v#1#-', name)).toBeUndefined();
    expect(isCounterSet('=v#1#-')).toBe(true);
    expect(isCounterSet('day#2026-11-24#sent#email')).toBe(false);
    expect(isCounterSet('1#-#-#enrolled')).toBe(false);
  });
});

describe('counter sets of the largest journey validation accepts fit DynamoDB', () => {
  /** DynamoDB's item limit, 400 KB, of which a counter set keeps under half. */
  const MAX_ITEM_BYTES = 400 * 1024;
  /** The most a number takes in an item (38 significant digits). */
  const MAX_NUMBER_BYTES = 21;
  const stepId = `s${'x'.repeat(63)}`;
  /** 100 variants of weight 1 (the most that can be assigned), names of 128 bytes, full of separators. */
  const names = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')}${'#'.repeat(125)}`);

  /**
   * The bytes of every attribute the counters' item can hold (beside each conversion count its sum, how
   * many values it adds up, and the sum an item written before that number was kept holds), at the largest number.
   */
  function itemBytes(keys: readonly CounterKey[]): number {
    const attributes = keys.flatMap((key) =>
      key.metric === 'converted'
        ? [sumAttribute, valuedAttribute, priorSumAttribute]
            .map((of) => of(counterAttribute(key)))
            .concat(counterAttribute(key))
        : [counterAttribute(key)],
    );
    return attributes.reduce((total, name) => total + Buffer.byteLength(name) + MAX_NUMBER_BYTES, 0);
  }

  it('a split of 100 variants with the longest names keeps its version item under half the limit', () => {
    // arrange: 100 variants of weight 1 (the most that can be assigned), names of 128 bytes, full of separators
    const journey = {
      id: 'widest-split',
      name: 'Widest split',
      trigger: { type: 'event', event: 'Go' },
      start: stepId,
      steps: {
        [stepId]: { type: 'split', variants: names.map((name) => ({ name, weight: 1, next: 'done' })) },
        done: { type: 'exit' },
      },
    };
    const own = [...COUNTER_METRICS, ...OUTCOMES.map(outcomeMetric)].flatMap((metric) =>
      [undefined, 'outcomeUnknown', 'frequencyCap'].map((reason) => ({
        version: '999999',
        metric,
        ...(reason === undefined ? {} : { reason }),
      })),
    );
    const perVariant = ['assigned', 'converted', ...OUTCOMES.map(outcomeMetric)];
    const variantKeys = names.flatMap((variant) =>
      perVariant.map((metric) => ({ version: '999999', stepId, variant, metric })),
    );
    // act: every attribute the item can hold (beside each conversion count its sum, how many values it
    // adds up, and the sum an item written before that number was kept holds), at the largest number
    const keys = [...own, ...variantKeys];
    const sks = new Set(keys.map((key) => counterSetKey(key, stepId)));
    const bytes = itemBytes(keys);
    // assert
    expect(validateJourney(journey).ok).toBe(true);
    expect(sks).toStrictEqual(new Set([`=v#999999#${stepId}`]));
    expect(bytes).toBeLessThan(0.5 * MAX_ITEM_BYTES);
  });

  it('a message step after that split, counted per variant, keeps its step item under half the limit', () => {
    // arrange: the widest split, then a message step every variant reaches
    const mail = `m${'y'.repeat(63)}`;
    const journey = {
      id: 'widest-split-shared-send',
      name: 'Widest split, shared send',
      trigger: { type: 'event', event: 'Go' },
      start: stepId,
      steps: {
        [stepId]: { type: 'split', variants: names.map((name) => ({ name, weight: 1, next: mail })) },
        [mail]: { type: 'email', template: 't', next: 'done' },
        done: { type: 'exit' },
      },
    };
    const reasons = [undefined, ...REASON_CODES];
    const own = COUNTER_METRICS.flatMap((metric) =>
      reasons.map((reason) => ({
        version: '999999',
        stepId: mail,
        metric,
        ...(reason === undefined ? {} : { reason }),
      })),
    );
    // what a send adds per variant: sent, failed, and deferred by each reason a deferral is coded with
    const perVariant = [
      { metric: 'sent' },
      { metric: 'failed' },
      ...DEFERRAL_CODES.map((reason) => ({ metric: 'deferred', reason })),
    ];
    const variantKeys = names.flatMap((variant) =>
      perVariant.map((counter) => ({ version: '999999', stepId: mail, variant, ...counter })),
    );
    // act
    const keys = [...own, ...variantKeys];
    const sks = new Set(keys.map((key) => counterSetKey(key, undefined)));
    const bytes = itemBytes(keys);
    // assert
    expect(validateJourney(journey).ok).toBe(true);
    expect(variantSplitOf(Journey.parse(journey), mail)).toBe(stepId);
    expect(sks).toStrictEqual(new Set([`=s#999999#${mail}`]));
    expect(bytes).toBeLessThan(0.5 * MAX_ITEM_BYTES);
  });
});
