import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '#shared/journey/compile/compile.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { validateAsl } from '../../support/asl-validate.ts';

/** A branch on names outside ASCII: golden ASL, one Choice state and no evaluate task. */

const FIXTURE = new URL('../../fixtures/asl/steps/branch-names.json', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

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
    // arrange
    const result = validateJourney(JOURNEY);
    if (!result.ok) throw new Error(JSON.stringify(result.violations));
    // act
    const asl = compile(result.journey);
    // assert
    if (UPDATE) writeFileSync(FIXTURE, `${JSON.stringify(asl, null, 2)}\n`);
    if (!existsSync(FIXTURE)) throw new Error('no golden fixture: review the ASL, then UPDATE_GOLDEN=1');
    expect(asl).toStrictEqual(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    expect(validateAsl(asl).errorsText).toBe('');
    const states = asl.States as Record<string, { Type: string; Resource?: string }>;
    expect(states.named?.Type).toBe('Choice');
    expect(JSON.stringify(states)).not.toMatch(/evaluate/i);
  });
});
