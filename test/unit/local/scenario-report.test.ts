import { describe, expect, it } from 'vitest';
import { junitReport, textReport } from '#infra/local/scenarios/report.ts';
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

  it('prints what a scenario names and what its customers sent with control characters escaped', () => {
    // arrange
    const results = [resultWithControls()];
    // act
    const report = textReport(results, plain);
    // assert
    expect(report).not.toMatch(TERMINAL_CONTROLS);
    expect(report).toContain('ctl \\u001b[31mred');
    expect(report).toContain('ana\\u001b[2J gets email');
    expect(report).toContain('event  Liq\\u001b[32m');
    expect(report).toContain('timeline of ana\\u001b[2J');
  });

  it('writes JUnit XML that an XML parser accepts whatever the scenario holds', () => {
    // arrange
    const results = [resultWithControls()];
    // act
    const report = junitReport(results);
    // assert: every character is one XML 1.0 allows
    expect(report).not.toMatch(NOT_XML_CHAR);
    expect(report).toContain('ctl \\u001b[31mred');
    expect(report).toContain('Liq\\u001b[32m \\ud83d');
  });
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** Characters outside XML 1.0's Char production, and surrogates without their pair. */
const NOT_XML_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;

function resultWithControls(): ScenarioResult {
  return {
    file: 'c\u0007.test.json',
    name: 'ctl \u001b[31mred',
    verdicts: [
      {
        ok: false,
        title: 'ana\u001b[2J gets email hello',
        users: ['ana\u001b[2J'],
        actual: 'email hello: Hi \u0000there',
      },
    ],
    timelines: new Map([
      ['ana\u001b[2J', { zone: 'UTC', lines: ['Mon 02 Mar 12:00  event  Liq\u001b[32m \ud83d — rejected'] }],
    ]),
    wallMs: 10,
  };
}
