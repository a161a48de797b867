import { describe, expect, it } from 'vitest';
import { expectGoldenAsl } from '../../support/golden-asl.ts';

/** A branch on names outside ASCII: golden ASL, one Choice state and no evaluate task. */

const FIXTURE = new URL('../../fixtures/asl/steps/branch-names.json', import.meta.url);

const JOURNEY = {
  id: 'greeting',
  name: 'Greeting by first name',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'named',
  steps: {
    named: {
      type: 'branch',
      branches: [
        { name: 'prénom', when: { path: 'trigger.properties.prénom', exists: true }, next: 'hello' },
        { name: '名前', when: { path: 'trigger.properties.名前', startsWith: 'Yu' }, next: 'hello' },
      ],
      otherwise: 'done',
    },
    hello: { type: 'email', template: 'hello', next: 'done' },
    done: { type: 'exit' },
  },
};

describe('a branch on names in any script', () => {
  it('compiles to one Choice state, its golden ASL, which asl-validator accepts', () => {
    // act, assert
    const asl = expectGoldenAsl(JOURNEY, FIXTURE);
    const states = asl.States as Record<string, { Type: string; Resource?: string }>;
    expect(states.named?.Type).toBe('Choice');
    expect(JSON.stringify(states)).not.toMatch(/evaluate/i);
  });
});
