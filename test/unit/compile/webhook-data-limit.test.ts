import { describe, expect, it } from 'vitest';
import { compile } from '#shared/journey/compile/compile.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * A webhook that answers with more than the execution state holds fails its
 * call with States.DataLimitExceeded. In AWS that error is terminal: neither
 * `States.ALL` nor `States.TaskFailed` catches it, only a catcher naming it
 * (Step Functions developer guide, "Error names"). The step must name it, so
 * that such an answer takes the error route (`onError`, or the failure
 * policy) as any failed call does, instead of failing the customer's
 * execution.
 */

type Catcher = { ErrorEquals: string[]; Next: string };

/** Which catcher Step Functions picks for `error`, by its documented rules; undefined: the execution fails. */
function caughtBy(catchers: readonly Catcher[], error: string): string | undefined {
  const terminal = error === 'States.DataLimitExceeded' || error === 'States.Runtime';
  const matches = (pattern: string) =>
    pattern === error ||
    (!terminal && pattern === 'States.ALL') ||
    (!terminal && pattern === 'States.TaskFailed' && error !== 'States.Timeout');
  return catchers.find((c) => c.ErrorEquals.some(matches))?.Next;
}

function webhookCatchers(step: Record<string, unknown>): Catcher[] {
  const journey = {
    id: 'loyalty',
    name: 'Loyalty',
    trigger: { type: 'event', event: 'Order Completed' },
    start: 'crm',
    steps: {
      crm: {
        type: 'webhook',
        connection: 'crm',
        url: 'https://crm.example.com/v1/orders',
        next: 'done',
        ...step,
      },
      ...('onError' in step ? { apologise: { type: 'exit', reason: 'crm failed' } } : {}),
      done: { type: 'exit' },
    },
  };
  const result = validateJourney(journey, { connections: new Map([['crm', 'https://crm.example.com/v1']]) });
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  const task = compile(result.journey).States.crm as { Catch?: Catcher[] };
  return task.Catch ?? [];
}

const FAILED_CALLS = ['States.Http.StatusCode.500', 'States.Timeout', 'States.DataLimitExceeded'];

describe('a webhook answer too large for the execution state', () => {
  it.each(FAILED_CALLS)('with onError, %s goes to onError', (error) => {
    // arrange
    const catchers = webhookCatchers({ onError: 'apologise' });
    // act / assert
    expect(caughtBy(catchers, error)).toBe('apologise');
  });

  it.each(FAILED_CALLS)('without onError, %s takes the failure policy', (error) => {
    // arrange
    const catchers = webhookCatchers({ onFailure: 'exit' });
    // act
    const next = caughtBy(catchers, error);
    // assert: the policy's exit state, the same for every failed call
    expect(next).toBeDefined();
    expect(next).toBe(caughtBy(catchers, 'States.Http.StatusCode.500'));
  });
});
