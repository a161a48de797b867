import {
  type ExecutionOutcome,
  LocalStateMachine,
} from '#infra/local/services/stepfunctions/runner/runner.ts';
import { TaskFailureError } from '#infra/local/services/stepfunctions/runner/runner-tokens.ts';
import { DeferredError, ProfileValueError } from '#shared/errors.ts';
import type { Bindings } from '#shared/journey/compile/bindings.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { HTTP_INVOKE_RESOURCE, httpStatusError } from '#shared/journey/compile/webhook.ts';
import { contextAfter } from '#shared/journey/context-set.ts';
import { splitBucket } from '#shared/journey/enrollment.ts';
import type { MessageOutcome } from '#shared/journey/outcome.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { SetContextInput } from '#shared/tasks/evaluate.ts';

const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** Local resource names for compiled journeys under test. */
export const LOCAL_BINDINGS: Bindings = {
  sendMessageFunctionArn: fn('send-message'),
  evaluateFunctionArn: fn('evaluate'),
  awaitEventFunctionArn: fn('await-event'),
  profilesTableName: 'profiles',
  eventBusName: 'journeys',
};

/** What the scripted task functions answer, per step id. */
export type Script = {
  /**
   * send-message: 'sent' (default), 'suppressed', 'deferred' (once, then sent), 'fail' (a permanent
   * error) or 'unknown' (the provider may or may not have taken it).
   */
  send?: Record<string, 'sent' | 'suppressed' | 'deferred' | 'fail' | 'unknown'>;
  /** evaluate op branch: the index of the matching branch (-1 = otherwise, the default). */
  branch?: Record<string, number>;
  /** evaluate (branch, wait, profile update): fails on data (Journeys.ProfileValue) at these steps. */
  dataFailure?: Record<string, true>;
  /** await-event: 'event' (default, with these properties) or 'timeout'. */
  await?: Record<string, 'event' | 'timeout'>;
  eventProperties?: Record<string, unknown>;
  /** await-event op outcome: the delivery feedback that resumes a message step (none: its window closes). */
  outcome?: Record<string, MessageOutcome>;
  /** Bucket per split step id (default: splitBucket of the user). */
  buckets?: Record<string, number>;
  trigger?: Record<string, unknown>;
  /** What every webhook call gets (default 200 with an empty JSON object). */
  http?: { status: number; body?: unknown };
};

/** evaluate op setContext, as the function answers it (it reads no table). */
export function setContext(input: unknown) {
  const { context, set, rule } = SetContextInput.parse(input);
  return contextAfter(context, set, rule);
}

/** Calls seen by the local integrations, in order. */
export type Calls = { resource: string; stepId: unknown }[];

function stepOf(input: unknown): string {
  return typeof input === 'object' && input !== null && 'stepId' in input ? String(input.stepId) : '';
}

function handlers(script: Script, calls: Calls, machine: () => LocalStateMachine) {
  const deferredOnce = new Set<string>();
  return {
    [LOCAL_BINDINGS.sendMessageFunctionArn]: (input: unknown) => {
      const step = stepOf(input);
      calls.push({ resource: 'send-message', stepId: step });
      const outcome = script.send?.[step] ?? 'sent';
      if (outcome === 'fail') throw Object.assign(new Error('rejected'), { name: 'Journeys.DeliveryFailed' });
      if (outcome === 'deferred' && !deferredOnce.has(step)) {
        deferredOnce.add(step);
        throw new DeferredError(new Date(Date.now() + 3_600_000).toISOString()); // wall-clock ok: any future instant
      }
      if (outcome === 'suppressed') return { status: 'suppressed', reason: 'unsubscribed' };
      if (outcome === 'unknown') return { status: 'unknown', reason: 'outcome unknown: SES 500' };
      return { status: 'sent', messageId: `m-${step}` };
    },
    [LOCAL_BINDINGS.evaluateFunctionArn]: (input: unknown) => {
      const step = stepOf(input);
      calls.push({ resource: 'evaluate', stepId: step });
      if (script.dataFailure?.[step]) throw new ProfileValueError(`no usable value at ${step}`);
      const op = typeof input === 'object' && input !== null && 'op' in input ? input.op : undefined;
      if (op === 'setContext') return setContext(input);
      if (op === 'waitUntil') {
        return { at: new Date(Date.now() + 86_400_000).toISOString() }; // wall-clock ok: any future instant
      }
      return { match: script.branch?.[step] ?? -1 };
    },
    [LOCAL_BINDINGS.awaitEventFunctionArn]: (input: unknown, call: { token?: string }) => {
      const step = stepOf(input);
      calls.push({ resource: 'await-event', stepId: step });
      const op = typeof input === 'object' && input !== null && 'op' in input ? input.op : undefined;
      if (op === 'outcome' || op === 'outcomeTimedOut') {
        const outcome = script.outcome?.[step];
        if (op === 'outcome' && outcome !== undefined && call.token !== undefined)
          machine().tokens.sendTaskSuccess(call.token, { outcome, at: '2026-11-24T10:00:05.000Z' });
        return {};
      }
      if ((script.await?.[step] ?? 'event') === 'event' && call.token !== undefined) {
        machine().tokens.sendTaskSuccess(call.token, {
          type: 'track',
          event: 'x',
          properties: script.eventProperties ?? {},
        });
      }
    },
    'arn:aws:states:::dynamodb:updateItem': (input: unknown) => {
      calls.push({ resource: 'dynamodb:updateItem', stepId: input });
      return {};
    },
    [HTTP_INVOKE_RESOURCE]: (input: unknown) => {
      calls.push({ resource: 'http:invoke', stepId: input });
      const { status, body } = script.http ?? { status: 200, body: {} };
      if (status < 200 || status > 299) throw new TaskFailureError(httpStatusError(status), `HTTP ${status}`);
      return { StatusCode: status, StatusText: 'OK', Headers: {}, ResponseBody: body ?? {} };
    },
    'arn:aws:states:::events:putEvents': (input: unknown) => {
      calls.push({ resource: 'events:putEvents', stepId: input });
      return { FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] };
    },
  };
}

/** A compiled journey on the offline runner, with scripted task functions and no waiting (time scale 0). */
export function offlineJourney(journey: Journey) {
  const asl = compile(journey, LOCAL_BINDINGS);
  let calls: Calls = [];
  let current: ReturnType<typeof handlers> = handlers({}, calls, () => machine);
  const machine: LocalStateMachine = new LocalStateMachine(asl, {
    timeScale: 0,
    // Bound once (the machine validates on construction); each run swaps in its own scripted functions.
    handlers: Object.fromEntries(
      Object.keys(current).map((resource) => [
        resource,
        (input: unknown, call: { token?: string }) => current[resource]?.(input, call),
      ]),
    ),
  });
  return {
    asl,
    /** Runs one enrollment of `userId` under `next` and returns its outcome and the task calls. */
    async run(next: Script, userId = 'user-1'): Promise<ExecutionOutcome & { calls: Calls }> {
      calls = [];
      current = handlers(next, calls, () => machine);
      const buckets: Record<string, number> = {};
      for (const [id, step] of Object.entries(journey.steps)) {
        if (step.type === 'split') buckets[id] = next.buckets?.[id] ?? splitBucket(journey.id, id, userId);
      }
      const outcome = await machine.start(enrollment(journey, userId, buckets, next.trigger ?? {})).done;
      return { ...outcome, calls };
    },
  };
}

/** The input ingest starts an enrollment of `userId` with (contract version 1). */
export function enrollment(
  journey: Journey,
  userId: string,
  buckets: Record<string, number>,
  properties: Record<string, unknown>,
) {
  return {
    v: 1,
    journeyId: journey.id,
    journeyVersion: '1',
    enrollmentId: `${journey.id}-${userId}`,
    userId,
    enrolledAt: '2026-11-24T10:00:00.000Z',
    trigger: {
      type: 'track',
      event: journey.trigger.type === 'event' ? journey.trigger.event : 'Signed Up',
      userId,
      messageId: 'msg-1',
      timestamp: '2026-11-24T10:00:00.000Z',
      properties: { cartId: 'c-1', orderId: 'o-1', plan: 'pro', total: 42, ...properties },
    },
    buckets,
  };
}
