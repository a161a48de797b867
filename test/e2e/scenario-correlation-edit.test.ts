import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * An edit of the trigger's correlation key alone compiles to the same
 * states. It still publishes a version of its own: a running enrollment
 * finishes on the key of the version it started on (the registry keeps it
 * per version), which it could not if the edit shared its version number.
 */

const TEMPLATES = join(import.meta.dirname, '..', '..', 'journeys', 'templates');

const JOURNEY = {
  id: 'cart-keyed',
  name: 'Cart keyed',
  trigger: { type: 'event', event: 'Cart Updated', correlationKey: 'event.properties.cartId' },
  reentry: 'always',
  goal: { event: 'Order Completed', within: 'P5D', exit: true },
  start: 'wait',
  steps: {
    wait: { type: 'wait', for: 'P2D', next: 'reminder' },
    reminder: { type: 'email', template: 'note-hello', next: 'done' },
    done: { type: 'exit' },
  },
};

let folder: string;
let result: ScenarioResult | undefined;

beforeAll(async () => {
  // arrange: a cart enrolled under its cart id, then the key moves to the order id
  folder = await mkdtemp(join(tmpdir(), 'correlation-edit-'));
  await mkdir(join(folder, 'templates'));
  await cp(TEMPLATES, join(folder, 'templates'), { recursive: true });
  await writeFile(join(folder, 'cart-keyed.json'), JSON.stringify(JOURNEY));
  const scenario = Scenario.parse({
    name: 'the correlation key is edited while a cart waits',
    journeys: ['cart-keyed'],
    start: '2026-03-02T10:00:00Z',
    until: '+P3D',
    customers: [{ id: 'ada' }],
    events: [
      { at: '+0h', user: 'ada', track: 'Cart Updated', properties: { cartId: 'c1', orderId: 'o1' } },
      { at: '+1h', deploy: 'cart-keyed', set: { 'trigger.correlationKey': 'event.properties.orderId' } },
      // act: the order of that cart, under another order id
      { at: '+2h', user: 'ada', track: 'Order Completed', properties: { cartId: 'c1', orderId: 'o9' } },
    ],
    expect: [{ outcome: { user: 'ada', is: 'converted' } }, { noMessage: { user: 'ada', channel: 'email' } }],
  });
  [result] = await runScenarios([{ file: 'cart-keyed.test.json', scenario }], folder);
}, E2E_TIMEOUT);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('journeys test: a correlation key edited alone', () => {
  it('converts the running enrollment by the key it entered with', () => {
    // assert
    expect(result?.error).toBeUndefined();
    expect(result?.verdicts.map((v) => [v.title, v.ok])).toEqual([
      ["ada's enrollment ends converted", true],
      ['ada gets no email', true],
    ]);
  });
});
