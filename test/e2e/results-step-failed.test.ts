import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import type { JourneyReport } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';
import {
  boot,
  E2E_TIMEOUT,
  eventsClient,
  putEvents,
  quiesce,
  type Sandbox,
  sandbox,
  track,
} from './support/local-runtime.ts';
import { localReport } from './support/report.ts';

/**
 * An enrollment whose step fails under the failure policy `exit` ends with
 * the execution SUCCEEDED, as one that ran to its exit step does. The
 * results must still tell them apart: the journey's and each variant's
 * outcomes count it as `stepFailed`, never as `completed`, in the report,
 * its text and the console.
 */

const ID = 'points';

const JOURNEY = {
  id: ID,
  name: 'Points',
  trigger: { type: 'event', event: 'Signed Up' },
  settings: { onFailure: 'exit', defaultTimezone: 'UTC' },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'bonus', weight: 60, next: 'bump' },
        { name: 'control', weight: 40, next: 'bump', holdout: true },
      ],
    },
    // An increment of a trait holding text fails on data (Journeys.ProfileValue): the policy exits.
    bump: { type: 'updateProfile', increment: { points: 1 }, next: 'done' },
    done: { type: 'exit', reason: 'bumped' },
  },
};

/** Every third customer's points are text, which the increment cannot add to. */
const CUSTOMERS = Array.from({ length: 30 }, (_, i) => ({ id: `c-${i}`, fails: i % 3 === 0 }));
const FAILING = CUSTOMERS.filter((c) => c.fails).length;

let box: Sandbox;
let runtime: LocalRuntime;

beforeAll(async () => {
  box = await sandbox([]);
  await writeFile(join(box.journeysDir, `${ID}.json`), JSON.stringify(JOURNEY));
  runtime = await boot(box, { inMemory: true });
  const client = eventsClient(runtime);
  try {
    await putEvents(
      runtime,
      CUSTOMERS.map((c) => ({ type: 'identify', userId: c.id, traits: { points: c.fails ? 'three' : 3 } })),
      client,
    );
    await runtime.settled();
    await putEvents(
      runtime,
      CUSTOMERS.map((c) => track(c.id, 'Signed Up', {})),
      client,
    );
    await quiesce(runtime);
  } finally {
    client.destroy();
  }
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

function report(): Promise<JourneyReport> {
  return localReport(runtime, box, JOURNEY);
}

describe('results: an enrollment that a failed step ended', () => {
  it('is counted as stepFailed, not completed, for the journey and for its variant', async () => {
    // act
    const r = await report();
    // assert
    const variants = r.splits.find((s) => s.stepId === 'ab')?.variants ?? [];
    expect({ enrolled: r.enrolled, ...r.outcomes }).toMatchObject({
      enrolled: CUSTOMERS.length,
      completed: CUSTOMERS.length - FAILING,
      stepFailed: FAILING,
    });
    // Each variant's endings add up to its assignments, and its failures to the journey's.
    for (const v of variants)
      expect({ name: v.name, ended: v.outcomes.completed + v.outcomes.stepFailed }).toStrictEqual({
        name: v.name,
        ended: v.assigned,
      });
    expect(variants.reduce((n, v) => n + v.outcomes.stepFailed, 0)).toBe(FAILING);
  });

  it('is printed by journeys report and answered by the console', async () => {
    // act
    const text = reportText(await report());
    const json = (await (
      await fetch(`${runtime.endpoints.console}/api/journeys/${ID}`)
    ).json()) as JourneyReport;
    const page = await (await fetch(`${runtime.endpoints.console}/journeys/${ID}`)).text();
    // assert
    expect(text).toContain(`completed ${CUSTOMERS.length - FAILING}`);
    expect(text).toMatch(new RegExp(`step failed ${FAILING}\\b`));
    expect(json.outcomes).toMatchObject({ completed: CUSTOMERS.length - FAILING, stepFailed: FAILING });
    expect(page).toContain(`<b>${FAILING}</b>ended: step failed</div>`);
  });
});
