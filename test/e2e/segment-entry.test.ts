import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type LocalRuntime, runSegmentNow } from '#infra/local/index.ts';
import {
  boot,
  E2E_TIMEOUT,
  executionsOf,
  identify,
  putEvents,
  quiesce,
  type Sandbox,
  sandbox,
  sentEmails,
} from './support/local-runtime.ts';

// An hour of journey time per real second: the hourly schedule runs every second.
const JOURNEY = 'plus-offer';

const plusOffer = {
  id: JOURNEY,
  name: 'Plus offer',
  status: 'active',
  trigger: {
    type: 'segment',
    schedule: 'rate(1 hour)',
    segment: { path: 'profile.traits.plan', eq: 'plus' },
  },
  reentry: { mode: 'once' },
  settings: { defaultTimezone: 'UTC' },
  start: 'offer-email',
  steps: {
    'offer-email': { type: 'email', template: 'plus-offer', next: 'done' },
    done: { type: 'exit' },
  },
};
const template = {
  channel: 'email',
  subject: 'A Plus offer for {{ profile.traits.firstName }}',
  html: '<p>Thanks for being a Plus member.</p>',
  text: 'Thanks for being a Plus member.',
};

const members = ['seg-plus-1', 'seg-plus-2'];
const others = ['seg-free-1'];
const withPlan = (userId: string, plan: string) => {
  const event = identify(userId, 'UTC');
  return { ...event, traits: { ...z.record(z.string(), z.unknown()).parse(event.traits), plan } };
};

let box: Sandbox;
let runtime: LocalRuntime;

beforeAll(async () => {
  box = await sandbox();
  // Only the segment journey and its template: a journeys folder of its own.
  for (const name of await readdir(box.journeysDir))
    await rm(join(box.journeysDir, name), { recursive: true });
  await mkdir(join(box.journeysDir, 'templates'));
  await writeFile(join(box.journeysDir, `${JOURNEY}.json`), JSON.stringify(plusOffer));
  await writeFile(join(box.journeysDir, 'templates', 'plus-offer.json'), JSON.stringify(template));
  runtime = await boot(box);
  await putEvents(runtime, [
    ...members.map((id) => withPlan(id, 'plus')),
    ...others.map((id) => withPlan(id, 'free')),
  ]);
  // The schedule ran at the deploy, before anyone was known; its next run is an hour later.
  await runtime.advanceTo(runtime.services.clock.nowMs() + 3_600_000);
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

describe('scheduled segment entry on the local runtime', () => {
  it('schedules the deployed segment journey at its rate', () => {
    expect(runtime.scheduler.list()).toStrictEqual([
      { journeyId: JOURNEY, expression: 'rate(1 hour)', timezone: 'UTC' },
    ]);
  });

  it('sends the first message to the customers in the segment, and only to them', async () => {
    // The run's paced starts and the executions they begin have all ended once the runtime is quiet.
    await quiesce(runtime);
    for (const id of members) {
      const emails = await sentEmails(runtime, `${id}@example.com`);
      expect(emails.map((e) => e.subject)).toStrictEqual([`A Plus offer for Fn${id.replaceAll('-', '')}`]);
    }
    for (const id of others) expect(await sentEmails(runtime, `${id}@example.com`)).toStrictEqual([]);
  });

  it('does not enroll anyone again on a later run under reentry once', async () => {
    // A minute later: a run at the scheduled run's own instant would be that run again (skipped).
    await runtime.advanceTo(runtime.services.clock.nowMs() + 60_000);
    const run = await runSegmentNow(runtime, JOURNEY);
    await quiesce(runtime);

    expect(run.status).toBe('started');
    for (const id of members) {
      expect(await executionsOf(runtime, JOURNEY, id)).toHaveLength(1);
      expect(await sentEmails(runtime, `${id}@example.com`)).toHaveLength(1);
    }
    for (const id of others) expect(await executionsOf(runtime, JOURNEY, id)).toStrictEqual([]);
  });

  it('reports a journey without a segment trigger as skipped', async () => {
    const run = await runSegmentNow(runtime, 'no-such-journey');

    expect(run).toMatchObject({ status: 'skipped', journeyId: 'no-such-journey', reason: 'unknown journey' });
  });
});
