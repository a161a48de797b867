import '../support/polyfills.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { carriedName, referencePath } from '#shared/journey/compile/reference-path.ts';
import { validateAsl } from '../support/asl-validate.ts';

/** The value a Pass state's Parameters copy from `path` of `input`, on the offline interpreter. */
async function copied(
  path: string,
  input: { trigger: { properties: Record<string, string | number> } },
): Promise<unknown> {
  const definition: StateMachineDefinition = {
    StartAt: 'Copy',
    States: { Copy: { Type: 'Pass', Parameters: { 'v.$': path }, End: true } },
  };
  expect(validateAsl(definition).errorsText).toBe('');
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  const output: unknown = await machine.run(input).result;
  return (output as { v?: unknown }).v;
}

describe('Reference Paths to names', () => {
  const names = [
    'plan',
    'prénom',
    '名前',
    'straße',
    'नाम',
    'App Opened',
    ' spaced ',
    'utm.source',
    'a-b',
    'x:y',
    'a@b',
    'a$',
    'a@',
    '0',
  ];

  it.each(names)('copy the value named %j', async (name) => {
    // arrange
    const input = { trigger: { properties: { [name]: `value of ${name}`, other: 1 } } };
    // act
    const value = await copied(referencePath('$.trigger', ['properties', name]), input);
    // assert
    expect(value).toBe(`value of ${name}`);
  });

  it.each(['@y', '$x', '$', "it's", 'a]b', 'back\\slash', 'price (EUR)', 'a[0]', 'x^y'])(
    'are never written for %j',
    (name) => {
      expect(carriedName(name)).toBe(false);
      expect(() => referencePath('$.trigger', ['properties', name])).toThrow(/cannot name/);
    },
  );
});
