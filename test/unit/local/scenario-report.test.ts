import { describe, expect, it } from 'vitest';
import { textReport } from '#infra/local/scenarios/report.ts';
import type { ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';

const plain = (_style: string, text: string) => text;

describe('the scenario report', () => {
  it('counts a scenario that could not run apart from failed expectations, and indents every line of why', () => {
    // arrange
    const results: ScenarioResult[] = [
      {
        file: 'a.test.json',
        name: 'Runs',
        verdicts: [{ ok: true, title: 'ana gets email hello', users: ['ana'] }],
        timelines: new Map(),
        wallMs: 10,
      },
      {
        file: 'b.test.json',
        name: 'Does not deploy',
        verdicts: [],
        timelines: new Map(),
        wallMs: 0,
        error:
          'the journeys did not deploy:\n✗ journeys/x.json rejected: 1 problem\n    steps.a.template: no template',
      },
    ];
    // act
    const report = textReport(results, plain);
    // assert
    expect(report).toContain(
      [
        '      could not run: the journeys did not deploy:',
        '          ✗ journeys/x.json rejected: 1 problem',
        '              steps.a.template: no template',
      ].join('\n'),
    );
    expect(report.trimEnd().split('\n').at(-1)).toBe(
      '2 scenario(s), 1 expectation(s): 1 scenario(s) could not run',
    );
  });
});
