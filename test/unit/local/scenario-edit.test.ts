import { describe, expect, it } from 'vitest';
import { editJourney } from '#infra/local/scenarios/edit-journey.ts';
import { ScenarioEvent } from '#infra/local/scenarios/scenario.ts';
import { validateJourney } from '#shared/journey/validate.ts';

// arrange: a journey whose reminder wait a redeploy takes out
const journey = () => ({
  id: 'welcome',
  name: 'Welcome',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'w',
  steps: {
    w: { type: 'wait', for: 'PT1H', next: 'bye' },
    bye: { type: 'exit' },
  },
});

describe("a scenario's deploy step edits the journey file", () => {
  it('removes a step named in unset, then applies set', () => {
    const event = ScenarioEvent.parse({
      at: '+1h',
      deploy: 'welcome',
      set: { start: 'bye' },
      unset: ['steps.w'],
    });
    const edited: Record<string, unknown> = journey();
    // act
    editJourney(edited, event as { set?: Record<string, unknown>; unset?: string[] });
    // assert: the step is gone, not null, and the journey deploys
    expect(edited.steps).toStrictEqual({ bye: { type: 'exit' } });
    expect(validateJourney(edited).ok).toBe(true);
  });

  it('removes a field, and refuses a path that is not in the file', () => {
    const edited: Record<string, unknown> = journey();
    editJourney(edited, { unset: ['trigger.event'] });
    expect(edited.trigger).toStrictEqual({ type: 'event' });
    expect(() => editJourney(edited, { unset: ['steps.typo'] })).toThrow(
      /"steps.typo" is not in journey "welcome"/,
    );
  });

  it('writes null with set, as a value', () => {
    const edited: Record<string, unknown> = journey();
    editJourney(edited, { set: { 'steps.w.label': null } });
    expect(edited.steps).toMatchObject({ w: { label: null } });
  });
});
