import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { stepsOf } from '#infra/local/inspect/trace-executions.ts';

/**
 * The steps a trace reads from an execution history shaped as AWS returns
 * it (written here by hand, not by the local recorder): helper states fold
 * into their step, a deferral's time comes from the Lambda error's message,
 * a timed-out wait is told, and the step after each one is its branch.
 */

let id = 0;
const at = (hhmm: string) => new Date(`2026-03-02T${hhmm}:00.000Z`);
const entered = (type: HistoryEventType, name: string, hhmm: string): HistoryEvent => ({
  id: ++id,
  previousEventId: id - 1,
  type,
  timestamp: at(hhmm),
  stateEnteredEventDetails: { name, input: '{}' },
});
const event = (type: HistoryEventType, hhmm: string, more: Partial<HistoryEvent> = {}): HistoryEvent => ({
  id: ++id,
  previousEventId: id - 1,
  type,
  timestamp: at(hhmm),
  ...more,
});
const deferredCause = JSON.stringify({
  errorType: 'Journeys.Deferred',
  errorMessage: '2026-03-03T07:00:00.000Z',
  trace: [],
});

const history: HistoryEvent[] = [
  event('ExecutionStarted', '09:00'),
  entered('WaitStateEntered', 'wait-1h', '09:00'),
  event('WaitStateExited', '10:00'),
  entered('TaskStateEntered', 'reminder-email', '10:00'),
  event('LambdaFunctionScheduled', '10:00'),
  event('LambdaFunctionStarted', '10:00'),
  event('LambdaFunctionFailed', '10:00', {
    lambdaFunctionFailedEventDetails: { error: 'Journeys.Deferred', cause: deferredCause },
  }),
  entered('PassStateEntered', 'reminder-email.deferred', '10:00'),
  entered('WaitStateEntered', 'reminder-email.defer', '10:00'),
  entered('TaskStateEntered', 'reminder-email', '07:00'),
  event('LambdaFunctionSucceeded', '07:00'),
  entered('TaskStateEntered', 'wait-order', '07:00'),
  event('TaskSubmitted', '07:00'),
  event('TaskTimedOut', '07:00', {
    taskTimedOutEventDetails: {
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'States.Timeout',
    },
  }),
  entered('TaskStateEntered', 'wait-order.timedOut', '07:00'),
  entered('ChoiceStateEntered', 'channel-test', '07:00'),
  event('ChoiceStateExited', '07:00'),
  entered('TaskStateEntered', 'cart-sms', '07:00'),
  event('LambdaFunctionFailed', '07:00', {
    lambdaFunctionFailedEventDetails: { error: 'Journeys.DeliveryFailed', cause: '{}' },
  }),
  entered('PassStateEntered', 'not-ordered', '07:00'),
  event('ExecutionSucceeded', '07:00'),
];

describe('stepsOf (an AWS execution history)', () => {
  it('folds helper states into steps and reads deferrals, timeouts, failures and the next step', () => {
    expect(stepsOf(history)).toEqual([
      { stepId: 'wait-1h', at: '2026-03-02T09:00:00.000Z', next: 'reminder-email', deferrals: [] },
      {
        stepId: 'reminder-email',
        at: '2026-03-02T10:00:00.000Z',
        next: 'wait-order',
        deferrals: [{ at: '2026-03-02T10:00:00.000Z', until: '2026-03-03T07:00:00.000Z' }],
      },
      {
        stepId: 'wait-order',
        at: '2026-03-02T07:00:00.000Z',
        next: 'channel-test',
        deferrals: [],
        timedOut: true,
      },
      { stepId: 'channel-test', at: '2026-03-02T07:00:00.000Z', next: 'cart-sms', deferrals: [] },
      {
        stepId: 'cart-sms',
        at: '2026-03-02T07:00:00.000Z',
        next: 'not-ordered',
        deferrals: [],
        error: 'Journeys.DeliveryFailed',
      },
      { stepId: 'not-ordered', at: '2026-03-02T07:00:00.000Z', deferrals: [] },
    ]);
  });
});
