import { describe, expect, it } from 'vitest';
import type { Trace, TraceExecution } from '#infra/local/inspect/trace.ts';
import { traceText, traceView } from '#infra/local/inspect/trace-view.ts';

/**
 * A goal with `exit: false` converts without stopping the execution, and the
 * enrollment item is removed once the execution has ended: the trace still
 * says the enrollment converted, from the runtime's conversions log.
 */

const completed: TraceExecution = {
  journeyId: 'welcome',
  version: '1',
  enrollmentId: 'e-1',
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:journey-welcome:e-1',
  status: 'SUCCEEDED',
  startedAt: '2026-03-02T10:00:00.000Z',
  stoppedAt: '2026-03-04T10:00:00.000Z',
  buckets: {},
  steps: [],
};

function endingOf(conversions: string[] | undefined): string | undefined {
  const trace: Trace = {
    userId: 'maya',
    profile: { traits: {}, consent: {}, timezone: 'UTC' },
    executions: [completed],
    enrollments: [],
    messages: [],
    experiments: [],
    ...(conversions === undefined ? {} : { conversions }),
  };
  return traceView(trace, new Map()).blocks[0]?.ending;
}

describe('journeys trace: an enrollment that converted and went on', () => {
  it('ends completed and converted when the runtime counted its goal', () => {
    expect(endingOf(['e-1'])).toBe('completed Wed 04 Mar 10:00; converted');
  });

  it('ends completed only when no goal was counted for it', () => {
    expect([endingOf([]), endingOf(undefined)]).toStrictEqual([
      'completed Wed 04 Mar 10:00',
      'completed Wed 04 Mar 10:00',
    ]);
  });
});

describe('journeys trace: the goal window of an enrollment that ended unconverted', () => {
  // The enrollment item outlives its window: TTL removes it up to days later (locally, at the next sweep).
  const kept = {
    enrollmentId: 'e-1',
    journeyId: 'welcome',
    version: '1',
    executionArn: completed.executionArn,
    enrolledAt: '2026-03-02T10:00:00.000Z',
    endedAt: '2026-03-04T10:00:00.000Z',
    goalUntil: '2026-03-09T10:00:00.000Z',
  };
  const endingAt = (now: Date | undefined) =>
    traceView(
      {
        userId: 'maya',
        profile: { traits: {}, consent: {}, timezone: 'UTC' },
        executions: [completed],
        enrollments: [kept],
        messages: [],
        experiments: [],
      },
      new Map(),
      [],
      now,
    ).blocks[0]?.ending;

  it('says the window is open while it is, and closed once it has passed', () => {
    expect(endingAt(new Date('2026-03-05T00:00:00Z'))).toBe(
      'completed Wed 04 Mar 10:00; goal window open until Mon 09 Mar 10:00',
    );
    expect(endingAt(new Date('2026-03-09T10:00:00Z'))).toBe(
      'completed Wed 04 Mar 10:00; goal window open until Mon 09 Mar 10:00',
    );
    expect(endingAt(new Date('2026-03-20T00:00:00Z'))).toBe(
      'completed Wed 04 Mar 10:00; goal window closed Mon 09 Mar 10:00',
    );
    expect(endingAt(undefined)).toBe('completed Wed 04 Mar 10:00; goal window until Mon 09 Mar 10:00');
  });
});

describe('journeys trace: the entries a customer did not make', () => {
  it('lists each skipped entry with why, at the customer’s time, after the enrollments', () => {
    const trace: Trace = {
      userId: 'maya',
      profile: { traits: {}, consent: {}, timezone: 'Europe/Rome' },
      executions: [completed],
      enrollments: [],
      messages: [],
      experiments: [],
      skipped: [
        {
          at: '2026-03-02T09:00:00.000Z',
          userId: 'maya',
          journeyId: 'onboarding',
          version: '2',
          reason: 'missing',
          detail: { paths: ['trigger.properties.plan'] },
        },
      ],
    };
    const text = traceText(traceView(trace, new Map()));
    expect(text).toMatch(
      /ended: completed Wed 04 Mar 11:00\n\nentries skipped\n {2}Mon 02 Mar 10:00 entry into onboarding skipped: trigger\.properties\.plan is missing\n$/,
    );
  });
});
