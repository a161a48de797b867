import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LocalConnectionsFile } from '#infra/local/runtime/connections.ts';
import { ScenarioFile } from '#infra/local/scenarios/scenario.ts';
import { Condition } from '#shared/conditions/schema.ts';
import { Step } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { Template } from '#shared/templates.ts';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** Every ```json block of the README, parsed. */
const blocks: unknown[] = [...README.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? ''));

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** The README's own example journey: the base the documented short forms are tried on. */
const example = blocks.find((b) => isObject(b) && 'steps' in b);

/** The inline code of the row of a README table whose first cell is `field`. */
function rowForms(field: string): string[] {
  const row = README.split('\n').find((line) => line.startsWith(`| \`${field}\``));
  const cells = row?.split('|')[2] ?? '';
  return [...cells.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
}

describe('the README and the validator agree', () => {
  it('has JSON examples to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(example).toBeDefined();
  });

  it.each(blocks.map((b, i) => [i, b] as const))(
    'JSON example %i is valid for what it shows',
    (_i, block) => {
      if (!isObject(block)) throw new Error('a README JSON example is not an object');
      if ('steps' in block) {
        const result = validateJourney(block);
        expect(result.ok ? [] : result.violations).toStrictEqual([]);
      } else if ('expect' in block) {
        expect(ScenarioFile.safeParse(block).error?.issues ?? []).toStrictEqual([]);
      } else if (Object.values(block).every((value) => isObject(value) && 'baseUrl' in value)) {
        expect(LocalConnectionsFile.safeParse(block).error?.issues ?? []).toStrictEqual([]);
      } else if ('type' in block && 'next' in block) {
        expect(Step.safeParse(block).error?.issues ?? []).toStrictEqual([]);
      } else if ('channel' in block) {
        expect(Template.safeParse(block).error?.issues ?? []).toStrictEqual([]);
      } else {
        expect(Condition.safeParse(block).error?.issues ?? []).toStrictEqual([]);
      }
    },
  );

  it('accepts every reentry form the journey-level table lists', () => {
    const forms = rowForms('reentry');
    expect(forms).toStrictEqual([
      'once',
      'always',
      '{ "mode": "after", "cooldown": "P7D" }',
      '{ "mode": "once" }',
      '{ "mode": "always" }',
    ]);
    for (const form of forms) {
      const reentry: unknown = form.startsWith('{') ? JSON.parse(form) : form;
      const result = validateJourney({ ...Object(example), reentry });
      expect(result.ok ? [] : result.violations).toStrictEqual([]);
    }
  });
});
