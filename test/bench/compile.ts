import fc from 'fast-check';
import { compile } from '#shared/journey/compile/compile.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { offlineJourney, type Script } from '../integration/offline/harness.ts';
import { journeyArbitrary } from '../support/arbitraries.ts';
import { exampleJourneys, settingExampleJourneys } from '../support/journeys.ts';
import { runConstructCosts } from './construct-costs.ts';
import { costPerMillionEnrollments } from './transition-cost.ts';

/**
 * Scenarios run per journey: every event arrives / every wait times out /
 * every evaluate task fails on data (the failure policy applies), each with
 * all sends going out.
 */
function scenarios(journey: Journey): [string, Script][] {
  const all = (value: 'timeout') => Object.fromEntries(Object.keys(journey.steps).map((id) => [id, value]));
  const webhooks = Object.values(journey.steps).filter((step) => step.type === 'webhook');
  // Webhook answers: every mapped field fits (its value, typed as declared), none is there, the endpoint fails.
  const fitting = Object.fromEntries(
    webhooks.flatMap((step) =>
      Object.entries(step.response ?? {}).map(([name, path]) => [path, journey.context?.[name]?.type]),
    ),
  );
  const webhookScenarios: [string, Script][] =
    webhooks.length === 0
      ? []
      : [
          ['webhook fields fit', { http: { status: 200, body: responseBody(fitting) } }],
          ['webhook fields missing', { http: { status: 200, body: {} } }],
          ['webhook 503 (retried)', { http: { status: 503 } }],
        ];
  return [
    ...webhookScenarios,
    ['events arrive', {}],
    ['waits time out', { await: all('timeout') }],
    ['branches match first', { branch: Object.fromEntries(Object.keys(journey.steps).map((id) => [id, 0])) }],
    [
      'profile data unusable',
      { dataFailure: Object.fromEntries(Object.keys(journey.steps).map((id) => [id, true])) },
    ],
  ];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A response body with a value of the declared type at each `body.x.y` path. */
function responseBody(fields: Record<string, string | undefined>): Record<string, unknown> {
  const sample: Record<string, unknown> = { string: 'gold', number: 1, boolean: true };
  const body: Record<string, unknown> = {};
  for (const [path, type] of Object.entries(fields)) {
    const keys = path.split('.').slice(1);
    const last = keys.pop();
    if (last === undefined) continue;
    let node = body;
    for (const key of keys) {
      const next = node[key];
      const child = isRecord(next) ? next : {};
      node[key] = child;
      node = child;
    }
    node[last] = type === undefined ? null : sample[type];
  }
  return body;
}

/** Steps visited: states named after a step id (helper states carry a '.' suffix). */
function stepsVisited(visited: string[], journey: Journey): number {
  return visited.filter((name) => name in journey.steps).length;
}

/** Prints, per example journey and path, transitions and Step Functions cost; then the 200-step compile time. */
export async function runCompileBench(): Promise<void> {
  for (const journey of [...exampleJourneys(), ...settingExampleJourneys()]) {
    const offline = offlineJourney(journey);
    console.log(
      `\n${journey.id}: ${Object.keys(journey.steps).length} steps, ${Object.keys(offline.asl.States).length} states`,
    );
    for (const [name, script] of scenarios(journey)) {
      const outcome = await offline.run(script);
      const steps = stepsVisited(outcome.visited, journey);
      const cost = costPerMillionEnrollments(outcome.transitions).toFixed(2);
      const flag = outcome.transitions <= steps + 1 ? 'ok' : `+${outcome.transitions - steps - 1} over`;
      console.log(
        `  ${name.padEnd(22)} ${outcome.status} steps visited ${steps}, transitions ${outcome.transitions} (${flag}), $${cost} per 1M enrollments`,
      );
    }
  }
  await runConstructCosts();
  const [big] = fc.sample(journeyArbitrary(200, 200), { numRuns: 1, seed: 1 });
  if (big === undefined) return;
  const runs = 50;
  const started = performance.now();
  for (let i = 0; i < runs; i++) compile(big);
  const ms = (performance.now() - started) / runs;
  console.log(
    `\ncompile of a generated ${Object.keys(big.steps).length}-step journey: ${ms.toFixed(2)} ms (mean of ${runs})`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runCompileBench();
