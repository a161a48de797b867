import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { awaitDepsOf, awaitInput, identify, ingestDeps, registerJourney } from './harness.ts';

/** Event streams an app developer sends that nobody planned for: redeliveries, late answers. */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('event-streams');
  await registerJourney(db, {
    id: 'survey',
    name: 'Survey',
    trigger: { type: 'event', event: 'Visit Ended' },
    start: 'answer',
    steps: {
      answer: {
        type: 'waitForEvent',
        event: 'Survey Answered',
        timeout: 'P1D',
        onEvent: 'done',
        onTimeout: 'done',
      },
      done: { type: 'exit' },
    },
  });
});
afterAll(async () => db.stop());

const rejectedReports = (sqs: ReturnType<typeof ingestDeps>['sqs']) =>
  sqs.commandCalls(SendMessageCommand).map((c) => JSON.parse(c.args[0].input.MessageBody ?? '{}'));

describe('traits left out of the profile are reported once', () => {
  it('a redelivered identify with a trait not of its kind reports it once', async () => {
    const { deps, sqs } = ingestDeps(db);
    const event = identify('u-zone-twice', { timezone: 'GMT+0530', plan: 'pro' });
    await ingestEvent(deps, event);
    await ingestEvent(deps, event);
    const reports = rejectedReports(sqs);
    expect(reports).toHaveLength(1);
    expect(reports[0].problems.map((p: { field: string }) => p.field)).toEqual(['traits.timezone']);
  });

  it('a redelivered identify past the profile trait cap reports the traits it left out once', async () => {
    const { deps, sqs } = ingestDeps(db);
    const full = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, i]));
    await ingestEvent(deps, identify('u-cap-twice', full));
    const extra = identify('u-cap-twice', { overTheCap: true }, '2026-11-24T09:59:30Z');
    await ingestEvent(deps, extra);
    await ingestEvent(deps, extra);
    const fields = rejectedReports(sqs).flatMap((r) => r.problems.map((p: { field: string }) => p.field));
    expect(fields).toEqual(['traits.overTheCap']);
  });
});

describe('an awaited event whose step is no longer waiting', () => {
  const received = async () => {
    const rows = await new StatsRepository(db.doc, db.tables.stats).funnel('survey');
    const count = (metric: string) =>
      rows.filter((r) => r.metric === metric && r.stepId === 'answer').reduce((n, r) => n + r.count, 0);
    return { received: count('eventReceived') };
  };

  for (const name of ['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']) {
    it(`SendTaskSuccess answering ${name} resumed nothing: not counted as received, and the waiter goes`, async () => {
      const userId = `u-gone-${name}`;
      const { deps, sfn } = ingestDeps(db);
      await awaitEvent(
        awaitDepsOf(db, deps),
        awaitInput(userId, {
          journeyId: 'survey',
          stepId: 'answer',
          event: 'Survey Answered',
          timeoutSeconds: 86_400,
          startedAt: '2026-11-24T09:00:00.000Z',
          trigger: {},
        }),
      );
      const before = await received();
      sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('gone'), { name }));
      const event = { ...identify(userId, {}), type: 'track', event: 'Survey Answered', traits: undefined };
      const result = await ingestEvent(deps, event);
      // Delivered again: the step is gone, nothing more is counted.
      await ingestEvent(deps, event);
      expect(result).toMatchObject({ status: 'recorded', resumed: [] });
      expect(await deps.enrollments.waitersFor(userId, 'Survey Answered')).toEqual([]);
      const after = await received();
      expect(after.received - before.received).toBe(0);
    });
  }
});
