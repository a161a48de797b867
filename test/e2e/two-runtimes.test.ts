import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import { LOCAL_TABLES } from '#infra/local/runtime/env.ts';
import { runScenarios } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import {
  boot,
  E2E_TIMEOUT,
  identify,
  PROJECT_JOURNEYS,
  putEvents,
  type Sandbox,
  sandbox,
} from './support/local-runtime.ts';

/**
 * Two local runtimes in one process (a test that starts one beside another):
 * each handler reads its own runtime's environment and reaches its own
 * emulators, config and caches, whichever runtime started last.
 */

type Started = { box: Sandbox; runtime: LocalRuntime };
let first: Started;
let second: Started;

async function start(): Promise<Started> {
  const box = await sandbox(['welcome-series']);
  return { box, runtime: await boot(box, { inMemory: true }) };
}

beforeAll(async () => {
  first = await start();
  second = await start();
}, E2E_TIMEOUT);
afterAll(async () => {
  for (const { box, runtime } of [second, first]) {
    await runtime?.stop();
    await box?.remove();
  }
});

async function profileIn({ runtime }: Started, userId: string) {
  const doc = DynamoDBDocumentClient.from(runtime.services.dynamo.client);
  const out = await doc.send(new GetCommand({ TableName: LOCAL_TABLES.profiles, Key: { userId } }));
  return out.Item;
}

describe('two local runtimes in one process', () => {
  it('each ingests into its own tables', async () => {
    // act: one customer's event on each runtime's bus, the first runtime's after the second started
    await putEvents(first.runtime, [identify('u-first', 'Europe/Rome')]);
    await putEvents(second.runtime, [identify('u-second', 'Europe/Rome')]);
    await Promise.all([first.runtime.settled(), second.runtime.settled()]);
    // assert
    expect({
      first: [await profileIn(first, 'u-first'), await profileIn(first, 'u-second')].map(Boolean),
      second: [await profileIn(second, 'u-first'), await profileIn(second, 'u-second')].map(Boolean),
    }).toEqual({ first: [true, false], second: [false, true] });
  });

  it('each console lists its own customers', async () => {
    // arrange: the first test's customers, one on each runtime
    const listed = async ({ runtime }: Started) =>
      (await fetch(`${runtime.endpoints.console}/customers`)).text();
    // act
    const pages = { first: await listed(first), second: await listed(second) };
    // assert
    expect({
      first: ['u-first', 'u-second'].map((id) => pages.first.includes(id)),
      second: ['u-first', 'u-second'].map((id) => pages.second.includes(id)),
    }).toEqual({ first: [true, false], second: [false, true] });
  });
});

/** A scenario in which ana holds `plan`, and expects to read it back. */
const holding = (plan: string) =>
  Scenario.parse({
    name: `ana on ${plan}`,
    journeys: ['welcome-series'],
    start: '2026-03-02T09:00:00Z',
    customers: [{ id: 'ana', traits: { plan } }],
    expect: [{ trait: { user: 'ana', name: 'plan', equals: plan } }],
  });

describe('two scenarios run side by side in one process', () => {
  it(
    'each reads its own customers’ traits, whichever runtime started last',
    async () => {
      // act: each scenario starts a runtime of its own while the other's runs
      const results = await Promise.all(
        ['basic', 'plus'].map((plan) =>
          runScenarios([{ file: `${plan}.test.json`, scenario: holding(plan) }], PROJECT_JOURNEYS),
        ),
      );
      // assert
      expect(results.flat().map((r) => ({ error: r.error, ok: r.verdicts.map((v) => v.ok) }))).toStrictEqual([
        { error: undefined, ok: [true] },
        { error: undefined, ok: [true] },
      ]);
    },
    E2E_TIMEOUT,
  );
});
