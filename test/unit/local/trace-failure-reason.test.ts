import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { Trace, TraceExecution } from '#infra/local/inspect/trace.ts';
import { stepsOf } from '#infra/local/inspect/trace-executions.ts';
import { traceView } from '#infra/local/inspect/trace-view.ts';
import { stepFailureOf } from '#shared/journey/ending.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * A step that fails on data (a wait until a date the profile lacks, a profile
 * update on a trait of another type) goes on by the failure policy; the
 * trace says why, from the error's message in the history, not only the
 * error's name.
 */

const cause = (errorType: string, errorMessage: string) =>
  JSON.stringify({ errorType, errorMessage, trace: [] });

const history: HistoryEvent[] = [
  { id: 1, type: 'ExecutionStarted', timestamp: new Date('2026-03-02T09:00:00Z') },
  {
    id: 2,
    type: 'TaskStateEntered',
    timestamp: new Date('2026-03-02T09:00:00Z'),
    stateEnteredEventDetails: { name: 'wait-renewal', input: '{}' },
  },
  {
    id: 3,
    type: 'LambdaFunctionFailed',
    timestamp: new Date('2026-03-02T09:00:00Z'),
    lambdaFunctionFailedEventDetails: {
      error: 'Journeys.ProfileValue',
      cause: cause('Journeys.ProfileValue', 'profile.traits.renewalDate is not a date on this profile'),
    },
  },
  {
    id: 4,
    type: 'PassStateEntered',
    timestamp: new Date('2026-03-02T09:00:00Z'),
    stateEnteredEventDetails: { name: 'done', input: '{}' },
  },
];

/** The renewal journey under a failure policy, and the trace view of one execution of it. */
function viewOf(onFailure: 'continue' | 'exit', execution: Partial<TraceExecution>) {
  const journey = validateJourney({
    id: 'renewal',
    name: 'Renewal',
    trigger: { type: 'event', event: 'Renewal Due' },
    settings: { onFailure },
    start: 'wait-renewal',
    steps: {
      'wait-renewal': { type: 'wait', untilDate: { path: 'profile.traits.renewalDate' }, next: 'done' },
      done: { type: 'exit' },
    },
  });
  if (!journey.ok) throw new Error('the journey must parse');
  const trace: Trace = {
    userId: 'maya',
    profile: { traits: {}, consent: {}, timezone: 'UTC' },
    executions: [
      {
        journeyId: 'renewal',
        version: '1',
        enrollmentId: 'e-1',
        executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:journey-renewal:e-1',
        status: 'SUCCEEDED',
        startedAt: '2026-03-02T09:00:00.000Z',
        stoppedAt: '2026-03-02T09:00:00.000Z',
        buckets: {},
        steps: stepsOf(history),
        ...execution,
      },
    ],
    enrollments: [],
    messages: [],
    experiments: [],
  };
  return traceView(trace, new Map([['renewal', journey.journey]]));
}

describe('journeys trace: a step that failed on data', () => {
  it('keeps the reason the history gives beside the error', () => {
    expect(stepsOf(history)[0]).toMatchObject({
      stepId: 'wait-renewal',
      error: 'Journeys.ProfileValue',
      reason: 'profile.traits.renewalDate is not a date on this profile',
    });
  });

  it('prints the reason on the step', () => {
    // act
    const lines = viewOf('continue', {}).blocks[0]?.lines.map((l) => l.text);
    // assert
    expect(lines?.[0]).toBe(
      'wait-renewal (wait) — failed: Journeys.ProfileValue (profile.traits.renewalDate is not a date on this profile)',
    );
  });
});

describe('journeys trace: a step that failed under the policy exit', () => {
  it('ends the enrollment with the step that failed and why, not "completed"', () => {
    // arrange
    const output = JSON.stringify({
      failure: {
        Error: 'Journeys.ProfileValue',
        Cause: cause('Journeys.ProfileValue', 'profile.traits.renewalDate has no value'),
      },
      exit: { stepId: 'wait-renewal', reason: 'wait not computed', error: 'Journeys.ProfileValue' },
    });
    // act
    const view = viewOf('exit', { steps: stepsOf(history.slice(0, 3)), stepFailure: stepFailureOf(output) });
    // assert
    expect(view.blocks[0]?.ending).toBe(
      'left Mon 02 Mar 09:00 because wait-renewal failed (Journeys.ProfileValue: profile.traits.renewalDate has no value)',
    );
  });
});
