import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

/** A value that matches none of a field's forms is told which forms there are and what it was. */
describe('a value of none of the allowed forms', () => {
  it('lists the forms and describes what was given', () => {
    // act
    const result = validateJourney({
      id: 'forms',
      name: 'Forms',
      trigger: { type: 'event', event: 'E' },
      reentry: 'sometimes',
      start: 'tell',
      steps: {
        tell: { type: 'emit', event: 'Told', properties: { nested: { deep: 1 } }, next: 'done' },
        done: { type: 'exit' },
      },
    });
    // assert
    expect(result.ok ? [] : result.violations.map((v) => `${v.path} | ${v.message}`)).toStrictEqual([
      'reentry | must be "once", "always" or an object, got the string "sometimes"',
      'steps.tell.properties.nested | must be a string, a number, a boolean or { "from": … }, got an object with "deep"',
    ]);
  });
});
