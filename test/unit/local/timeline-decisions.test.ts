import { describe, expect, it } from 'vitest';
import { routeOf } from '#infra/local/inspect/decisions.ts';
import type { HistoryEvent } from '#infra/local/services/stepfunctions/api/history.ts';
import { describeCondition } from '#shared/conditions/describe.ts';
import { Journey } from '#shared/journey/schema.ts';

const journey = Journey.parse({
  id: 'route',
  name: 'Route',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'A', weight: 50, next: 'check' },
        { name: 'B', weight: 40, next: 'check' },
        { name: 'control', weight: 10, next: 'done', holdout: true },
      ],
    },
    check: {
      type: 'branch',
      branches: [
        { name: 'vip', when: { path: 'profile.traits.tier', eq: 'gold' }, next: 'done' },
        { when: { performed: 'Order Completed', atLeast: 2, within: 'P30D' }, next: 'hello' },
      ],
      otherwise: 'done',
    },
    hello: { type: 'email', template: 'hello', next: 'done' },
    done: { type: 'exit' },
  },
});

/** A history entering the given states, one second apart from 2026-03-02T09:00:00Z. */
function history(states: string[]): HistoryEvent[] {
  const start = Date.parse('2026-03-02T09:00:00Z') / 1000;
  return states.map((name, i) => ({
    id: i + 2,
    previousEventId: i + 1,
    timestamp: start + i,
    type: 'ChoiceStateEntered',
    stateEnteredEventDetails: { name },
  }));
}

describe('routeOf: the variant and branch an enrollment took, in the journey’s words', () => {
  it('names the variant the bucket gives and the branch the evaluate function chose', () => {
    // arrange: bucket 60 is B's (50–89); the profile branch answered 1 (the unnamed one)
    const events = history(['ab', 'check', 'check.route', 'hello', 'done']);

    // act
    const route = routeOf(
      events,
      { journeyId: 'route', journey, buckets: { ab: 60 } },
      new Map([['check', [1]]]),
    );

    // assert
    expect(route.visits).toEqual(['ab', 'check', 'hello', 'done']);
    expect(route.decisions).toEqual([
      { at: '2026-03-02T09:00:00.000Z', text: 'split  route/ab: variant "B" → check', visit: 1 },
      {
        at: '2026-03-02T09:00:01.000Z',
        text: 'branch route/check: branch 2 (performed Order Completed at least 2 within P30D) → hello',
        visit: 2,
      },
    ]);
  });

  it('names the variant by where the split went when the bucket reads otherwise under the weights at hand', () => {
    // arrange: bucket 10 is A's under these weights; an earlier version, or an experiment's end, sent it to the holdout
    const events = history(['ab', 'done']);
    // act
    const route = routeOf(events, { journeyId: 'route', journey, buckets: { ab: 10 } }, new Map());
    // assert
    expect(route.decisions.map((d) => d.text)).toEqual([
      'split  route/ab: variant "control" (holdout) → done',
    ]);
  });

  it('tells a holdout, and a branch on execution data by where it went (every branch that goes there)', () => {
    const holdout = routeOf(
      history(['ab', 'done']),
      { journeyId: 'route', journey, buckets: { ab: 95 } },
      new Map(),
    );
    const data = routeOf(
      history(['ab', 'check', 'done']),
      { journeyId: 'route', journey, buckets: { ab: 3 } },
      new Map(),
    );

    expect(holdout.decisions.map((d) => d.text)).toEqual([
      'split  route/ab: variant "control" (holdout) → done',
    ]);
    expect(data.decisions.map((d) => d.text)).toEqual([
      'split  route/ab: variant "A" → check',
      'branch route/check: "vip" or otherwise → done',
    ]);
  });
});

describe('describeCondition', () => {
  it('writes a condition tree on one line, long ones cut', () => {
    expect(
      describeCondition({
        all: [
          { path: 'profile.traits.plan', in: ['pro', 'team'] },
          { not: { path: 'profile.traits.testAccount', eq: true } },
        ],
      }),
    ).toBe('all(profile.traits.plan in ["pro","team"], not(profile.traits.testAccount eq true))');
    const long = describeCondition({
      any: Array.from({ length: 20 }, () => ({ path: 'event.properties.total', gte: 20 })),
    });
    expect(long).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
  });
});
