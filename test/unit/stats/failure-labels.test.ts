import { describe, expect, it } from 'vitest';
import { ErrorName, failureMetric } from '#shared/errors.ts';
import { Journey } from '#shared/journey/schema.ts';
import { failureKind, failureLabel } from '#shared/stats/failures.ts';
import { reportBody } from '#shared/stats/html.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';

/**
 * A step's failures are counted by kind (`failed.<kind>`); the report tells
 * each in words, in the text, the page and the JSON alike, and still shows a
 * kind it has no words for.
 */

const JOURNEY = Journey.parse({
  id: 'renewal',
  name: 'Renewal',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'wait-renewal',
  steps: {
    'wait-renewal': { type: 'updateProfile', set: { renewalStage: 'due' }, next: 'announce' },
    announce: { type: 'emit', event: 'Renewal Due', next: 'done' },
    done: { type: 'exit' },
  },
});

const failed = (kind: string, stepId: string, count: number): Counter => ({
  version: '1',
  metric: `failed.${kind}`,
  stepId,
  count,
});

describe('failure kinds in the report', () => {
  it('every kind the functions count has words of its own', () => {
    // arrange: every registered error, and each family of service errors, and one nobody named
    const names = [
      ...Object.values(ErrorName),
      'EventBridge.FailedEntry',
      'States.Timeout',
      'Lambda.Unknown',
      'Sandbox.Timedout',
      'Something.New',
    ];
    // act
    const kinds = names.map((name) => failureKind(failureMetric(name)) ?? name);
    // assert
    for (const kind of kinds) expect(failureLabel(kind), kind).not.toBe(kind);
  });

  it('are told in words in the text, the page and the JSON, and an unknown kind keeps its name', () => {
    // arrange
    const counters = [
      failed('ProfileValue', 'wait-renewal', 3),
      failed('EventBus', 'announce', 2),
      failed('NewerKind', 'announce', 1),
    ];
    // act
    const report = buildReport(JOURNEY, counters, []);
    const text = reportText(report);
    const page = reportBody(report);
    const json = JSON.parse(JSON.stringify(report)) as typeof report;
    // assert
    expect(json.steps.find((s) => s.stepId === 'announce')?.failures).toEqual([
      { kind: 'EventBus', label: 'the event bus refused the event', count: 2 },
      { kind: 'NewerKind', label: 'NewerKind', count: 1 },
    ]);
    expect(text).toContain(
      'failed: a profile value could not serve the step (missing, or of another type) 3',
    );
    expect(text).toContain('failed: the event bus refused the event 2');
    expect(text).toContain('failed: NewerKind 1');
    expect(text).not.toContain('failed.');
    expect(page).toContain(
      '<li data-failure="EventBus">announce: failed — the event bus refused the event: 2</li>',
    );
    expect(page).toContain('<li data-failure="NewerKind">announce: failed — NewerKind: 1</li>');
    expect(page).toContain('<h2>Not sent, deferred or failed, and why</h2>');
  });
});
