import { putItem } from '#functions/_lib/clients/document-calls.ts';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfileIdentities } from '#functions/_lib/identity.ts';
import { OutcomeWaiters } from '#functions/_lib/outcome-waiters.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { CachedRegistry, RegistryRepository } from '#functions/_lib/registry.ts';
import { SHARDS, StatsRepository } from '#functions/_lib/stats.ts';
import { TemplateSnapshots } from '#functions/_lib/templates.ts';
import { type AwaitDeps, awaitEvent, waitTimedOut } from '#functions/await-event/await.ts';
import { manifest as awaitManifest } from '#functions/await-event/manifest.ts';
import { awaitOutcome, type OutcomeDeps, outcomeTimedOut } from '#functions/await-event/outcome.ts';
import { applyFeedback } from '#functions/delivery-feedback/feedback.ts';
import { withPinnedTemplates } from '#functions/deploy-journey/templates.ts';
import { type EvaluateDeps, evaluate } from '#functions/evaluate/evaluate.ts';
import { manifest as evaluateManifest } from '#functions/evaluate/manifest.ts';
import { ProfileTraits } from '#functions/evaluate/profile-traits.ts';
import { executionStatusChanged, type StatusDeps } from '#functions/execution-status/status.ts';
import { type IngestDeps, ingestEvent } from '#functions/ingest/ingest.ts';
import { manifest as sendManifest } from '#functions/send-message/manifest.ts';
import { type SendDeps, sendMessage } from '#functions/send-message/send.ts';
import {
  SMS_RECEIPT_MS,
  SMS_RECEIPTS,
  smsReceiptEntry,
} from '#infra/local/services/pinpoint/sms-receipts.ts';
import { SES_FEEDBACK_MS, sesEventEntry } from '#infra/local/services/ses/feedback.ts';
import {
  UPDATE_ITEM_RESOURCE,
  updateItemIntegration,
} from '#infra/local/services/stepfunctions/integrations.ts';
import { DeferredError } from '#shared/errors.ts';
import { liveFields } from '#shared/ingest/live-journey.ts';
import type { Asl, Json } from '#shared/journey/compile/asl.ts';
import type { Bindings } from '#shared/journey/compile/bindings.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { fallbackChain } from '#shared/journey/compile/fallback.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { counterSetKey } from '#shared/stats/counter-sets.ts';
import type { SendMessageInput, SendMessageOutput } from '#shared/tasks/send-message.ts';
import type { Template } from '#shared/templates.ts';
import * as z from '#shared/zod.ts';
import { memoryDynamo } from '../dynamo/memory-dynamo.ts';
import { type Ended, Executions } from '../machine/executions.ts';
import { withoutStack } from '../machine/stackless.ts';
import { Timers } from '../machine/timers.ts';
import { MessageOutcomes } from '../scenario/outcomes.ts';
import type { Messages } from '../scenario/spec.ts';
import { countingPinpoint, countingSes, countingSqs, type ProviderCounts, simulatedSfn } from './clients.ts';

/**
 * The product's handlers (their plain functions, with the dependencies they
 * take) on in-memory tables, counting providers and the simulation's own
 * Step Functions: one process, journey time only.
 */

const ACCOUNT = 'arn:aws:lambda:us-east-1:000000000000:function';
const BINDINGS: Bindings = {
  sendMessageFunctionArn: `${ACCOUNT}:journeys-send-message`,
  evaluateFunctionArn: `${ACCOUNT}:journeys-evaluate`,
  awaitEventFunctionArn: `${ACCOUNT}:journeys-await-event`,
  profilesTableName: 'sim-profiles',
  eventBusName: 'sim-events',
};
const PUT_EVENTS = 'arn:aws:states:::events:putEvents';
const INVOKE_WITH_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/** Lambda's own timeout plus the claim margin of the send handler: the lease a send holds. */
const SEND_LEASE_MS = 35_000;

/**
 * The send-message input as its handler parses it, compiled by zod once: the
 * same answers and errors (an input the compiled check refuses is parsed by
 * the schema itself), for a schema a forecast parses for every send. The
 * evaluate and await-event inputs hold the condition tree, a recursive schema
 * zod does not compile.
 */
const SEND_INPUT = z.compile(sendManifest.task.input);

/** Every email and SMS delivered, no email opened, clicked or complained about. */
const NO_REACTIONS: Messages = { email: { bounced: 0 }, sms: { undelivered: 0 } };

/** What each handler call is seen as by the observer (for counters; nothing is kept). */
export type Observer = {
  sent?: (input: SendMessageInput, output: SendMessageOutput, at: number) => void;
  sendFailed?: (input: SendMessageInput, error: unknown) => void;
  invoked?: (fn: string) => void;
  ended?: (ended: Ended) => void;
};

export type World = Awaited<ReturnType<typeof createWorld>>;

/** `hotItems`: the in-memory tables' items held as objects at once (see MemoryTables). */
export async function createWorld(
  start: Date,
  observer: Observer = {},
  hotItems?: number,
  outcomes = new MessageOutcomes(0, NO_REACTIONS),
) {
  const timers = new Timers(start.getTime());
  /** Provider feedback applied, by channel and outcome ("email opened"). */
  const feedbackCounts = new Map<string, number>();
  // The entry is made when it is due: a timer waiting a day for an open holds a few fields, not the event.
  const feedback = (channel: string, outcome: string, at: number, entry: () => { Detail: string }) => {
    timers.at(at, async () => {
      observer.invoked?.('delivery-feedback');
      const key = `${channel} ${outcome}`;
      feedbackCounts.set(key, (feedbackCounts.get(key) ?? 0) + 1);
      await applyFeedback(feedbackDeps(), JSON.parse(entry().Detail));
    });
  };
  const now = () => new Date(timers.now);
  const db = memoryDynamo('sim', hotItems);
  const counts: ProviderCounts = { emails: 0, sms: 0, smsParts: 0, push: 0, events: 0, rejected: 0 };
  const machines = new Map<string, Asl>();
  let executions: Executions | undefined;
  const sfn = simulatedSfn(() => {
    if (executions === undefined) throw new Error('executions are not ready');
    return executions;
  });
  const enrollments = new EnrollmentItems(db.doc, db.tables.enrollments);
  const profiles = new ProfilesRepository(db.doc, db.tables.profiles, enrollments);
  const registry = new RegistryRepository(db.doc, db.tables.journeys);
  // Counter shards in turn, not Math.random: a run repeats exactly.
  let shard = 0;
  const nextShard = () => {
    shard = (shard + 1) % 8;
    return (shard + 0.5) / 8;
  };
  const stats = new StatsRepository(db.doc, db.tables.stats, { random: nextShard });
  const templates = new TemplateSnapshots(db.doc, db.tables.journeys);
  const ingestDeps: IngestDeps = {
    profiles,
    identities: new ProfileIdentities(db.doc, db.tables.profiles, now),
    enrollments,
    registry: new CachedRegistry(registry, Number.POSITIVE_INFINITY, () => timers.now),
    stats,
    sfn,
    sqs: countingSqs(counts),
    rejectedQueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/rejected',
    now,
  };
  const sendDeps: SendDeps = {
    profiles,
    deliveries: new DeliveriesRepository(db.doc, db.tables.deliveries),
    stats,
    enrollments,
    templates,
    // SES publishes what becomes of an email (delivery or bounce, then opens, clicks, complaints), as the scenario draws it.
    ses: countingSes(counts, (email) => {
      const sentMs = timers.now;
      const recipient = email.to[0] ?? '';
      for (const { outcome, at } of outcomes.email(recipient, sentMs, sentMs + SES_FEEDBACK_MS))
        feedback('email', outcome, at, () =>
          sesEventEntry(outcome, { ...email, configurationSet: 'journeys' }, new Date(at)),
        );
    }),
    // Carriers report on an SMS a few seconds later: steps waiting for its outcome resume.
    pinpoint: countingPinpoint(counts, (messageId, to) => {
      const at = timers.now + SMS_RECEIPT_MS;
      const outcome = outcomes.sms(to, timers.now);
      feedback('sms', outcome, at, () => smsReceiptEntry(messageId, new Date(at), SMS_RECEIPTS[outcome]));
    }),
    config: {
      senderEmail: 'journeys@example.com',
      configurationSet: 'journeys',
      pinpointApplicationId: 'simulation',
      unsubscribeBaseUrl: 'https://example.com/unsubscribe',
    },
    unsubscribeKey: async () => 'simulation-signing-key',
    now,
    leaseMs: SEND_LEASE_MS,
  };
  const evaluateDeps: EvaluateDeps = {
    profiles,
    traits: new ProfileTraits(db.doc, db.tables.profiles),
    stats,
    now,
  };
  const awaitDeps: AwaitDeps = { profiles, enrollments, journeys: registry, stats, sfn, now };
  const feedbackDeps = () => ({
    deliveries: sendDeps.deliveries,
    profiles,
    stats,
    outcomes: { waiters: outcomeDeps.waiters, sfn },
    now,
  });
  const outcomeDeps: OutcomeDeps = {
    waiters: new OutcomeWaiters(db.doc, db.tables.enrollments),
    deliveries: sendDeps.deliveries,
    sfn,
    now,
  };
  const statusDeps: StatusDeps = { enrollments, profiles, stats };
  const updateItem = updateItemIntegration(db.client);

  async function send(payload: Json): Promise<Json> {
    observer.invoked?.('send-message');
    const input = SEND_INPUT.parse(payload);
    let output: SendMessageOutput;
    try {
      output = await sendMessage(sendDeps, input);
    } catch (error) {
      observer.sendFailed?.(input, error);
      throw error;
    }
    observer.sent?.(input, output, timers.now);
    // As the send handler does: the compiled journey waits on this error and tries again.
    if (output.status === 'deferred') throw withoutStack(() => new DeferredError(output.until));
    return JSON.parse(JSON.stringify(output));
  }

  async function lambda(name: string, payload: Json): Promise<Json> {
    try {
      if (name === BINDINGS.sendMessageFunctionArn) return await send(payload);
      observer.invoked?.(name === BINDINGS.evaluateFunctionArn ? 'evaluate' : 'await-event');
      if (name === BINDINGS.evaluateFunctionArn)
        return json(await evaluate(evaluateDeps, evaluateManifest.task.input.parse(payload)));
      if (name === BINDINGS.awaitEventFunctionArn) {
        const input = awaitManifest.task.input.parse(payload);
        // As the await-event handler routes its operations.
        if (!('op' in input)) return json(await awaitEvent(awaitDeps, input));
        if (input.op === 'outcome') return json(await awaitOutcome(outcomeDeps, input));
        if (input.op === 'outcomeTimedOut') return json(await outcomeTimedOut(outcomeDeps, input));
        return json(await waitTimedOut(awaitDeps, input));
      }
    } catch (error) {
      // As Lambda reports a function error to Step Functions: the name, and the runtime's JSON as Cause.
      if (!(error instanceof Error)) throw error;
      const failure = withoutStack(
        () => new Error(JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: [] })),
      );
      failure.name = error.name;
      throw failure;
    }
    throw new Error(`No function ${name} in the simulation`);
  }

  executions = new Executions(
    timers,
    (arn) => machines.get(arn.replace(/:(live|\d+)$/, '')),
    async (resource, input) => {
      if (
        resource === INVOKE_WITH_TOKEN &&
        typeof input === 'object' &&
        input !== null &&
        !Array.isArray(input)
      ) {
        const fn = input.FunctionName;
        await lambda(typeof fn === 'string' ? fn : '', input.Payload ?? null);
        return null;
      }
      if (resource === UPDATE_ITEM_RESOURCE) return json(await updateItem(input));
      if (resource === PUT_EVENTS) {
        observer.invoked?.('events');
        counts.events += 1;
        return { FailedEntryCount: 0, Entries: [{ EventId: 'sim' }] };
      }
      return lambda(resource, input);
    },
    async (ended) => {
      observer.ended?.(ended);
      observer.invoked?.('execution-status');
      await executionStatusChanged(statusDeps, { ...ended, status: ended.status });
    },
  );

  /**
   * Deploys a validated journey as deploy-journey does: templates pinned, compiled, registered as live;
   * then reads what handlers cache, so that every shard of customers finds the same warm caches.
   */
  async function deploy(journey: Journey, sources: ReadonlyMap<string, Template>): Promise<string> {
    const names = await templates.put(journey.id, sources);
    const stateMachineArn = `arn:aws:states:us-east-1:000000000000:stateMachine:journey-${journey.id}`;
    machines.set(stateMachineArn, compile(withPinnedTemplates(journey, names), BINDINGS));
    await registry.putDeployed(
      {
        ...liveFields(journey),
        version: '1',
        versionArn: `${stateMachineArn}:1`,
        aliasArn: `${stateMachineArn}:live`,
        stateMachineArn,
        sourceKey: `journeys/${journey.id}.json`,
        deployedAt: now().toISOString(),
      },
      undefined,
    );
    await counterItems(journey, '1');
    // As every warm handler holds them after its first call: the registry and each pinned template read once.
    await ingestDeps.registry.live();
    for (const name of names.values()) await templates.get({ journeyId: journey.id, name });
    return stateMachineArn;
  }

  /**
   * The version's counter items on every shard, made at deploy. On AWS the first count of each item
   * (once per item and shard) finds it missing, reads the version's retention and then creates it;
   * each worker of a forecast has tables of its own and would pay that once per worker, so the forecast
   * bills it once, here, as one write per item: the same for any number of workers.
   */
  async function counterItems(journey: Journey, version: string): Promise<void> {
    const steps = Object.entries(journey.steps);
    const splits = [undefined, ...steps.filter(([, step]) => step.type === 'split').map(([id]) => id)];
    const keys = [
      ...splits.map((split) => counterSetKey({ version, metric: 'enrolled' }, split)),
      ...steps
        .flatMap(([id, step]) =>
          // A fallback message counts as a step of its own (`<step>.fallback<n>`).
          (step.type === 'email' || step.type === 'sms' || step.type === 'push') &&
          step.fallback !== undefined
            ? fallbackChain(id, { ...step, fallback: step.fallback }).map(([stateId]) => stateId)
            : [id],
        )
        .map((stepId) => counterSetKey({ version, stepId, metric: 'sent' }, undefined)),
    ];
    for (let shard = 0; shard < SHARDS; shard++)
      for (const sk of keys)
        await putItem(db.doc, { TableName: db.tables.stats, Item: { pk: `${journey.id}#${shard}`, sk } });
  }

  return {
    timers,
    db,
    counts,
    feedback: feedbackCounts,
    stats,
    executions,
    deploy,
    ingest: (event: unknown) => ingestEvent(ingestDeps, event),
  };
}

function json(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null));
}
