import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

/** `steps` given in another shape is named as given, not as missing. */
function stepsProblem(steps: unknown): string | undefined {
  const result = validateJourney({
    id: 'shape',
    name: 'Shape',
    trigger: { type: 'event', event: 'Trial Started' },
    start: 's',
    ...(steps === undefined ? {} : { steps }),
  });
  return result.ok ? undefined : result.violations.find((v) => v.path === 'steps')?.message;
}

describe('a journey whose steps are not an object of steps', () => {
  it.each([
    ['x', 'must be an object of steps by id, got the string "x"'],
    [[{ type: 'exit' }], 'must be an object of steps by id, got a list'],
    [null, 'must be an object of steps by id, got null'],
    [undefined, 'is required: an object of steps by id.'],
  ])('names %j as it is', (steps, message) => {
    expect(stepsProblem(steps)).toBe(message);
  });
});
