import { describe, expect, it } from 'vitest';
import { compile } from '#shared/journey/compile/compile.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/** Steps whose conditions read dates carry the journey's default zone to the function that judges them. */

const JOURNEY = {
  id: 'trial',
  name: 'Trial ending',
  trigger: { type: 'event', event: 'Trial Started' },
  settings: { defaultTimezone: 'America/New_York' },
  start: 'soon',
  steps: {
    soon: {
      type: 'branch',
      branches: [{ when: { path: 'profile.traits.trialEndsAt', withinNext: 'P3D' }, next: 'answer' }],
      otherwise: 'plan',
    },
    plan: {
      type: 'branch',
      branches: [{ when: { path: 'profile.traits.plan', eq: 'pro' }, next: 'done' }],
      otherwise: 'done',
    },
    answer: {
      type: 'waitForEvent',
      event: 'Demo Booked',
      where: { path: 'event.properties.slot', gte: '2026-03-20' },
      timeout: 'P1D',
      onEvent: 'done',
      onTimeout: 'done',
    },
    done: { type: 'exit' },
  },
};

function parametersOf(asl: ReturnType<typeof compile>, state: string): Record<string, unknown> {
  const found = (asl.States as Record<string, { Parameters?: Record<string, unknown> }>)[state];
  const parameters = found?.Parameters ?? {};
  const payload = parameters.Payload;
  return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : parameters;
}

describe('the zone conditions read dates in', () => {
  it('is passed where a condition reads a date, and only there', () => {
    // arrange
    const result = validateJourney(JOURNEY);
    if (!result.ok) throw new Error(JSON.stringify(result.violations));
    // act
    const asl = compile(result.journey);
    // assert
    expect(parametersOf(asl, 'soon').defaultTimezone).toBe('America/New_York');
    expect(parametersOf(asl, 'answer').defaultTimezone).toBe('America/New_York');
    expect(parametersOf(asl, 'plan')).not.toHaveProperty('defaultTimezone');
  });
});
