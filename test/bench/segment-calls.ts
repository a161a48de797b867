import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { processRecords } from '#functions/segment-entry/records.ts';
import { startRun } from '#functions/segment-entry/run.ts';
import { identify, ingestDeps, registerJourney } from '../integration/functions/harness.ts';
import { startDynalite } from '../support/dynalite.ts';
import { DynamoCalls } from '../support/dynamo-calls.ts';
import { plusSegmentJourney, segmentDepsOn } from '../support/segment-deps.ts';

/**
 * The DynamoDB calls and worker invocations of one segment run on a small
 * profiles table (dynalite): `BENCH_SEGMENT_PROFILES` profiles (default 4),
 * every one in the segment, the queue in memory, one message per invocation.
 */
export async function runSegmentCallsBench(): Promise<void> {
  const profiles = Number(process.env.BENCH_SEGMENT_PROFILES ?? 4);
  const db = await startDynalite('calls');
  try {
    const { deps: ingest } = ingestDeps(db);
    for (let i = 0; i < profiles; i++) await ingestEvent(ingest, identify(`u-${i}`, { tier: 'plus' }));
    await registerJourney(db, plusSegmentJourney('small', 'profile.traits.tier'));
    const calls = new DynamoCalls();
    calls.watch(db.doc);
    calls.watchLowLevel(db.client);
    const deps = segmentDepsOn({
      doc: db.doc,
      client: db.client,
      tables: db.tables,
      now: () => new Date(RUN),
      inFlight: 4,
    });
    const queue: { messageId: string; body: string }[] = [];
    answer(deps.sqs, (command) => {
      if (!(command instanceof SendMessageBatchCommand)) throw new Error('unexpected SQS call');
      const entries = command.input.Entries ?? [];
      for (const e of entries) queue.push({ messageId: `m-${queue.length}`, body: e.MessageBody ?? '' });
      return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    });
    answer(deps.sfn, (command) => {
      if (!(command instanceof StartExecutionCommand)) throw new Error('unexpected Step Functions call');
      return { executionArn: `x:${command.input.name}`, startDate: new Date(RUN) };
    });
    answer(deps.events, (command) => {
      if (!(command instanceof PutEventsCommand)) throw new Error('unexpected EventBridge call');
      return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
    });
    calls.label = 'schedule';
    const run = await startRun(deps, { journeyId: 'small', scheduledTime: RUN });
    calls.label = 'queue';
    let invocations = 1;
    let entered = 0;
    for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
      invocations += 1;
      entered += (await processRecords(deps, [message])).totals.enrolled;
    }
    console.log(
      `segment run, ${profiles} profiles: ${'segments' in run ? run.segments : 0} Scan segments, ` +
        `${invocations} invocations, ${calls.total()} DynamoDB calls, ${entered} entered`,
    );
    for (const [key, n] of calls.all) console.log(`  ${key.replaceAll('\t', ' ').padEnd(40)} ${n}`);
  } finally {
    await db.stop();
  }
}

const RUN = '2026-11-30T09:00:00.000Z';

/** Answers every command a client sends with `reply`. */
function answer(client: object, reply: (command: unknown) => unknown): void {
  Object.assign(client, { send: async (command: unknown) => reply(command) });
}
