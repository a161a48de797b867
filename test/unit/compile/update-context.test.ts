import { describe, expect, it } from 'vitest';
import { expectGoldenAsl } from '../../support/golden-asl.ts';

/**
 * updateContext steps: golden ASL, asl-validator. Literals are one Pass; a
 * copied number or boolean a Choice and Passes; only a copied string, whose
 * length no Choice can test, sets the context through the evaluate function.
 */

const FIXTURE = new URL('../../fixtures/asl/steps/update-context.json', import.meta.url);

const JOURNEY = {
  id: 'ctx-steps',
  name: 'Context steps',
  trigger: { type: 'event', event: 'Booked' },
  context: {
    code: { type: 'string', from: 'trigger.properties.code', maxLength: 8 },
    note: { type: 'string', maxLength: 140 },
    score: { type: 'number' },
    copy: { type: 'string', maxLength: 8 },
  },
  start: 'literal',
  steps: {
    literal: { type: 'updateContext', set: { note: 'none', copy: { from: 'context.code' } }, next: 'ask' },
    ask: { type: 'waitForEvent', event: 'Noted', timeout: 'PT1H', onEvent: 'number', onTimeout: 'done' },
    number: { type: 'updateContext', set: { score: { from: 'event.properties.score' } }, next: 'text' },
    text: {
      type: 'updateContext',
      set: { note: { from: 'event.properties.note' }, score: { from: 'event.properties.score' }, copy: 'x' },
      next: 'done',
    },
    done: { type: 'exit' },
  },
};

const resources = (asl: { States: Record<string, { Type: string; Resource?: string }> }, prefix: string) =>
  Object.entries(asl.States)
    .filter(([name]) => name === prefix || name.startsWith(`${prefix}.`))
    .map(([name, state]) => `${name} ${state.Type}`);

describe('updateContext step', () => {
  it('compiles to its golden ASL, which asl-validator accepts', () => {
    // act, assert
    const asl = expectGoldenAsl(JOURNEY, FIXTURE);
    expect(resources(asl, 'literal')).toEqual(['literal Pass']);
    expect(resources(asl, 'number')).toEqual(['number Choice', 'number.set Pass', 'number.unset Pass']);
    expect(resources(asl, 'text')).toEqual(['text Choice', 'text.set Task', 'text.unset Pass']);
  });
});
