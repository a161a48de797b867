import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';

/**
 * A journey whose steps loop back to its start: the start step is reached
 * by every entry and again by every pass of the loop, but only entries are
 * counted there. The paths out of it and into it are not given as shares of
 * that count, which read 250% and 40% for a loop every customer went round.
 */

const JOURNEY = Journey.parse({
  id: 'nudge-loop',
  name: 'Nudge until opened',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'await-open',
  steps: {
    'await-open': {
      type: 'waitForEvent',
      event: 'App Opened',
      timeout: 'P1D',
      onEvent: 'tip',
      onTimeout: 'done',
    },
    tip: { type: 'email', template: 'tip', next: 'await-open' },
    done: { type: 'exit' },
  },
});

const counters: Counter[] = [
  { version: '1', metric: 'enrolled', count: 2 },
  { version: '1', metric: 'eventReceived', stepId: 'await-open', count: 5 },
  { version: '1', metric: 'sent', stepId: 'tip', count: 5 },
];

describe('the paths of a loop back to the start step', () => {
  it('have no share above 100% nor one made of entries alone', () => {
    // act
    const report = buildReport(JOURNEY, counters, []);
    // assert
    expect(report.edges.map((e) => [e.from, e.to, e.share])).toStrictEqual([
      ['await-open', 'tip', undefined],
      ['await-open', 'done', undefined],
      ['tip', 'await-open', undefined],
    ]);
  });

  it('still have their shares when the start step is not looped back to', () => {
    // arrange: the same steps, the email ending the journey
    const once = Journey.parse({
      ...JOURNEY,
      steps: { ...JOURNEY.steps, tip: { type: 'email', template: 'tip', next: 'done' } },
    });
    const counted: Counter[] = [
      { version: '1', metric: 'enrolled', count: 4 },
      { version: '1', metric: 'eventReceived', stepId: 'await-open', count: 1 },
      { version: '1', metric: 'sent', stepId: 'tip', count: 1 },
    ];
    // act
    const report = buildReport(once, counted, []);
    // assert
    expect(report.edges.find((e) => e.from === 'await-open' && e.to === 'tip')?.share).toBe(0.25);
  });
});
