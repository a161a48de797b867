import { describe, expect, it } from 'vitest';
import type { Trace, TraceExecution, TraceMessage } from '#infra/local/inspect/trace.ts';
import { traceView } from '#infra/local/inspect/trace-view.ts';

/**
 * A message step on a loop sends one message per visit, each its own
 * delivery keyed by when the step was entered: the trace shows each visit
 * with its own message, not the first one again.
 */

const visits = ['2026-03-02T09:00:00.000Z', '2026-03-09T09:00:00.000Z', '2026-03-16T09:00:00.000Z'];

const execution: TraceExecution = {
  journeyId: 'weekly',
  version: '1',
  enrollmentId: 'e-1',
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:journey-weekly:e-1',
  status: 'SUCCEEDED',
  startedAt: visits[0] as string,
  stoppedAt: '2026-03-16T09:00:00.000Z',
  buckets: {},
  steps: visits.flatMap((at) => [
    { stepId: 'tip', at, deferrals: [], next: 'week' },
    { stepId: 'week', at, deferrals: [], next: 'tip' },
  ]),
};

const message = (visit: string, id: string): TraceMessage => ({
  enrollmentId: 'e-1',
  journeyId: 'weekly',
  stepId: 'tip',
  visit,
  channel: 'email',
  status: 'sent',
  attempts: 1,
  updatedAt: visit,
  output: { status: 'sent', messageId: id },
});

describe('journeys trace: a message step on a loop', () => {
  it('shows each visit with its own message, in the order the visits came', () => {
    // arrange: the deliveries table returns them in no particular order
    const trace: Trace = {
      userId: 'maya',
      profile: { traits: {}, consent: {}, timezone: 'UTC' },
      executions: [execution],
      enrollments: [],
      messages: [
        message(visits[2] as string, 'm-3'),
        message(visits[0] as string, 'm-1'),
        message(visits[1] as string, 'm-2'),
      ],
      experiments: [],
    };
    // act
    const lines = traceView(trace, new Map()).blocks[0]?.lines.map((l) => `${l.when ?? ''} ${l.text}`);
    // assert
    expect(lines?.filter((l) => l.includes('email sent'))).toStrictEqual([
      'Mon 02 Mar 09:00   email sent — message m-1',
      'Mon 09 Mar 09:00   email sent — message m-2',
      'Mon 16 Mar 09:00   email sent — message m-3',
    ]);
  });
});

describe('journeys trace: a message step looped at one instant', () => {
  it('shows the visits in the order entered, each with its own message', () => {
    // arrange: twelve visits at 09:00 (as EnteredTime tells them offline), their messages in no order
    const at = '2026-03-02T09:00:00.000Z';
    const keys = Array.from({ length: 12 }, (_, i) =>
      i === 0 ? at : `2026-03-02T09:00:00.000${String(i).padStart(6, '0')}Z`,
    );
    const instant: TraceExecution = {
      ...execution,
      stoppedAt: at,
      steps: keys.flatMap(() => [
        { stepId: 'tip', at, deferrals: [], next: 'week' },
        { stepId: 'week', at, deferrals: [], next: 'tip' },
      ]),
    };
    const trace: Trace = {
      userId: 'maya',
      profile: { traits: {}, consent: {}, timezone: 'UTC' },
      executions: [instant],
      enrollments: [],
      messages: keys.map((key, i) => message(key, `m-${i + 1}`)).reverse(),
      experiments: [],
    };
    // act
    const lines = traceView(trace, new Map()).blocks[0]?.lines.map((l) => l.text);
    // assert
    expect(lines?.filter((l) => l.includes('email sent'))).toStrictEqual(
      keys.map((_, i) => `  email sent — message m-${i + 1}`),
    );
  });
});
