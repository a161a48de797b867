import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildStateMachine } from '#infra/local/services/stepfunctions/runner/runner-validate.ts';
import { cacheSchemaCheck } from '#infra/local/services/stepfunctions/runner/schema-check.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'asl');
const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:journeys-send-message';

/** A definition as asl-validator's schema check sees it: every state's QueryLanguage set, as asl-validator sets it first. */
function asChecked(definition: unknown): unknown {
  const fill = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'States' && typeof child === 'object' && child !== null)
        for (const state of Object.values(child))
          if (typeof state === 'object' && state !== null)
            Object.assign(state, { QueryLanguage: 'JSONPath' });
      fill(child);
    }
  };
  fill(definition);
  return definition;
}

const compiled = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json'))
  // The stack's `${...}` substitutions filled in with an ARN.
  .map((file) => {
    const text = readFileSync(join(FIXTURES, file), 'utf8').replace(/\$\{[A-Za-z]+\}/g, LAMBDA);
    return [file, asChecked(JSON.parse(text))] as const;
  });

const pass = (extra: Record<string, unknown>) => ({
  StartAt: 'A',
  States: { A: { Type: 'Pass', End: true, ...extra } },
});

/** Definitions asl-validator's JSON Schema refuses: a bad path, a bad ARN, a bad JSONata, a missing field. */
const invalid: [string, unknown][] = [
  ['a malformed InputPath', pass({ InputPath: '$..[' })],
  [
    'a Task whose Resource is no ARN',
    { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'nope', End: true } } },
  ],
  [
    'a broken JSONata expression',
    {
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: { A: { Type: 'Pass', Output: '{% $$ ( %}', End: true } },
    },
  ],
  ['no States', { StartAt: 'A' }],
  ['an unknown state type', { StartAt: 'A', States: { A: { Type: 'Teleport', End: true } } }],
];

/** What aws-local-stepfunctions asks asl-validator for. */
const OPTIONS = { checkPaths: true, checkArn: true };

describe('the ASL schema check compiled once per process', () => {
  const check = cacheSchemaCheck();

  it('replaces asl-validator’s check where aws-local-stepfunctions loads it', () => {
    expect(check).toBeDefined();
  });

  it('finds the compiled journeys valid, as asl-validator does', () => {
    const [name, first] = compiled[0] ?? ['none', {}];
    expect(check?.original(structuredClone(first), OPTIONS), name).toEqual([]);
    for (const [name, definition] of compiled)
      expect(check?.cached(structuredClone(definition), OPTIONS), name).toEqual([]);
  });

  it.each(invalid)('refuses %s, as asl-validator does', (_name, definition) => {
    // An invalid definition gets asl-validator's own report: the compiled schema must not call it valid.
    expect(check?.cached(asChecked(structuredClone(definition)), OPTIONS).length).toBeGreaterThan(0);
  });

  it('still refuses an invalid definition with asl-validator’s own words', () => {
    expect(() => buildStateMachine(pass({ InputPath: '$..[' }) as never)).toThrow(
      /State machine definition is invalid[\s\S]*InputPath/,
    );
  });
});
