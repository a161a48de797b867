import { describe, expect, it } from 'vitest';
import type { Trace } from '#infra/local/inspect/trace.ts';
import { traceText, traceView } from '#infra/local/inspect/trace-view.ts';

/** `journeys trace` of an id no event named (a typo, an anonymousId without its `anon:` prefix) says so. */
describe('journeys trace of a customer the tables do not know', () => {
  const nothing = (userId: string): Trace => ({
    userId,
    profile: { traits: {}, consent: {} },
    executions: [],
    enrollments: [],
    messages: [],
    experiments: [],
  });

  it('says no event has named the id, and how an anonymous visitor is named', () => {
    // act
    const text = traceText(traceView(nothing('a-42'), new Map()));

    // assert
    expect(text).toContain('no customer "a-42": no event has named this id');
    expect(text).toContain('anon:a-42');
  });

  it('keeps the profile lines of a customer who has one', () => {
    // act
    const trace = { ...nothing('u-1'), profile: { traits: { plan: 'pro' }, consent: {} } };
    const text = traceText(traceView(trace, new Map()));

    // assert
    expect(text).toContain('traits: plan="pro"');
    expect(text).not.toContain('no customer');
  });
});
