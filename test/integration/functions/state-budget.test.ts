import { SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import {
  MAX_AWAITED_EVENT_BYTES,
  MAX_CONTEXT_BYTES,
  MAX_ENTRY_INPUT_BYTES,
  MAX_RESPONSE_BYTES,
  MAX_STATE_BYTES,
  TASK_RESULTS_BYTES,
} from '#shared/journey/state-budget.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { awaitDepsOf, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * An execution's state is the trigger, the last awaited event, the context, a
 * webhook's response and task results, and Step Functions fails an execution
 * whose state passes 256 KiB. A trigger or an awaited event past its share is
 * kept out where it comes in, and counted with the reason.
 */

let db: LocalDynamo;
const KB = 1024;
/** Properties whose JSON takes about `bytes` (the rest of the event adds a few hundred bytes). */
const payload = (bytes: number) => ({ note: 'x'.repeat(bytes) });

beforeAll(async () => {
  db = await startDynalite('state-budget');
  await registerJourney(db, {
    id: 'big-carts',
    name: 'Big carts',
    trigger: { type: 'event', event: 'Cart Updated' },
    reentry: 'always',
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
});
afterAll(async () => db.stop());

async function counted(journeyId: string, metric: string, reason: string): Promise<number> {
  const { deps } = ingestDeps(db);
  const counters = await deps.stats.funnel(journeyId);
  return counters.filter((c) => c.metric === metric && c.reason === reason).reduce((n, c) => n + c.count, 0);
}

describe('the execution state budget', () => {
  it('shares 256 KiB between the trigger, an awaited event, the context, a response and task results', () => {
    expect(
      MAX_ENTRY_INPUT_BYTES + MAX_AWAITED_EVENT_BYTES + MAX_CONTEXT_BYTES + MAX_RESPONSE_BYTES,
    ).toBeLessThan(MAX_STATE_BYTES);
    expect(TASK_RESULTS_BYTES).toBeGreaterThanOrEqual(16 * KB);
  });

  it('does not enroll a trigger over its share, counts it once as skipped (tooLarge), and enrolls one within it', async () => {
    // arrange: both events are within EventBridge's 256 KB, so ingest takes them
    const { deps, sfn } = ingestDeps(db);
    const large = track('u-large', 'Cart Updated', payload(150 * KB));
    const fits = track('u-fits', 'Cart Updated', payload(100 * KB));
    // act
    const first = await ingestEvent(deps, large);
    const redelivered = await ingestEvent(deps, large);
    const started = await ingestEvent(deps, fits);
    // assert
    expect(first).toMatchObject({ status: 'recorded', enrolled: [] });
    expect(redelivered).toMatchObject({ enrolled: [] });
    expect(started).toMatchObject({ status: 'recorded', enrolled: [expect.any(String)] });
    const inputs = sfn.commandCalls(StartExecutionCommand).map((c) => String(c.args[0].input.input));
    expect(inputs).toHaveLength(1);
    expect(Buffer.byteLength(inputs[0] ?? '')).toBeLessThanOrEqual(MAX_ENTRY_INPUT_BYTES);
    expect(await counted('big-carts', 'entrySkipped', 'tooLarge')).toBe(1);
    // nothing was claimed for the refused trigger: no enrollment item, no re-entry record
    expect(await deps.enrollments.enrollments('u-large')).toEqual([]);
  });

  it('does not resume a waiting step with an event over its share: counted at the step, and a later event resumes it', async () => {
    // arrange
    const { deps, sfn } = ingestDeps(db);
    await awaitEvent(awaitDepsOf(db, deps), {
      v: CONTRACT_VERSION,
      journeyId: 'big-carts',
      journeyVersion: '1',
      enrollmentId: 'e-big',
      userId: 'u-wait',
      stepId: 'wait-answer',
      token: 'token-big',
      event: 'Survey Answered',
      match: [],
      timeoutSeconds: 86400,
      startedAt: '2026-11-24T09:00:00Z',
      trigger: {},
    });
    const large = track('u-wait', 'Survey Answered', payload(80 * KB));
    // act
    const ignored = await ingestEvent(deps, large);
    await ingestEvent(deps, large);
    const answered = await ingestEvent(deps, track('u-wait', 'Survey Answered', { score: 9 }));
    // assert
    expect(ignored).toMatchObject({ status: 'recorded', resumed: [] });
    expect(answered).toMatchObject({ resumed: ['e-big'] });
    const outputs = sfn.commandCalls(SendTaskSuccessCommand).map((c) => String(c.args[0].input.output));
    expect(outputs).toHaveLength(1);
    expect(JSON.parse(outputs[0] ?? '{}')).toMatchObject({ properties: { score: 9 } });
    const byStep = (await deps.stats.funnel('big-carts')).filter((c) => c.metric === 'eventIgnored');
    expect(byStep).toEqual([
      expect.objectContaining({ stepId: 'wait-answer', reason: 'tooLarge', count: 1 }),
    ]);
  });
});
