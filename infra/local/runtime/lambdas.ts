import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { now } from '#functions/_lib/clock.ts';
import { timeoutSecondsOf } from '#functions/_lib/manifest.ts';
import type { RuntimeScope } from '#functions/_lib/runtime-scope.ts';
import { type FunctionName, manifestOf } from '#functions/manifests.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './aws.ts';
import { inInvocation } from './invocations.ts';

/** The fake ARN a local function answers to (compiled Task states reference these). */
export function functionArn(name: FunctionName): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:journeys-${name}`;
}

export type Invoke = (event: unknown) => Promise<unknown>;
export type Handler = (event: unknown, context: Context) => unknown;

function isHandler(value: unknown): value is Handler {
  return typeof value === 'function';
}

/**
 * Each function's handler module, imported on first use. Spelled out rather
 * than built from the name so that a bundler (the CLI's prebuilt bundle)
 * sees every handler, and a function added to the manifests without a line
 * here fails type checking.
 */
const HANDLER_MODULES: Record<FunctionName, () => Promise<Record<string, unknown>>> = {
  ingest: () => import('#functions/ingest/handler.ts'),
  'send-message': () => import('#functions/send-message/handler.ts'),
  evaluate: () => import('#functions/evaluate/handler.ts'),
  'await-event': () => import('#functions/await-event/handler.ts'),
  'deploy-journey': () => import('#functions/deploy-journey/handler.ts'),
  'delivery-feedback': () => import('#functions/delivery-feedback/handler.ts'),
  'execution-status': () => import('#functions/execution-status/handler.ts'),
  'segment-entry': () => import('#functions/segment-entry/handler.ts'),
  unsubscribe: () => import('#functions/unsubscribe/handler.ts'),
};

/**
 * Timers on the machine's own clock. A handler that hangs holds journey time
 * still (nothing is idle), so only real time can end it, as on Lambda.
 */
export type RealTimers = {
  /** Runs `fire` after `ms` of real time; returns what cancels it. */
  after: (ms: number, fire: () => void) => () => void;
};

const realTimers: RealTimers = {
  after: (ms, fire) => {
    // Kept referenced: a hung handler holds nothing else open, and its run must still end as a failure.
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};

/** What Step Functions reports when a Lambda function runs past its timeout (Retry and Catch match its name). */
export class LambdaTimedOut extends Error {
  override readonly name = 'Sandbox.Timedout';
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
  }
}

/**
 * Loads the real handler of `functions/<name>/handler.ts` and returns an
 * invoker that calls it as Lambda would (see `invoker`). Import only after
 * the environment is set: handlers read it once per cold start.
 */
export async function loadFunction(
  name: FunctionName,
  timers: RealTimers = realTimers,
  scope?: RuntimeScope,
): Promise<Invoke> {
  const module = await HANDLER_MODULES[name]();
  const handler = module.handler;
  if (!isHandler(handler)) throw new Error(`functions/${name}/handler.ts exports no handler function`);
  return invoker(name, handler, timers, scope);
}

/**
 * Calls a handler as Lambda would (event, context), each call in an
 * invocation context of its own and its runtime's scope (invocations.ts), and fails the invocation
 * with `Sandbox.Timedout` after the function's timeout in real time, so its
 * caller's retry or catch runs. The handler itself cannot be stopped in a
 * shared process: whatever it still does is no longer waited for.
 */
export function invoker(
  name: FunctionName,
  handler: Handler,
  timers: RealTimers = realTimers,
  scope?: RuntimeScope,
): Invoke {
  const seconds = timeoutSecondsOf(manifestOf(name));
  return async (event) => {
    const context = lambdaContext(name);
    let cancel = () => {};
    const timedOut = new Promise<never>((_, reject) => {
      cancel = timers.after(seconds * 1000, () => reject(new LambdaTimedOut(seconds)));
    });
    // Invocations overlap here, unlike in one Lambda environment: each keeps its own metrics and log context.
    const work = (async () => inInvocation(context.awsRequestId, () => handler(event, context), scope))();
    try {
      return await Promise.race([work, timedOut]);
    } finally {
      cancel();
    }
  };
}

/** What Lambda gives a handler beside its event. */
export function lambdaContext(name: FunctionName): Context {
  // Remaining time on the handlers' clock (journey time locally), which stands still while a handler runs:
  // a lease or a budget taken from it is the same on a fast or a loaded machine. It starts from the
  // function's own timeout, as on AWS: a send's claim lease is as long here as there.
  const deadline = now().getTime() + timeoutSecondsOf(manifestOf(name)) * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `journeys-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(name),
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/journeys-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - now().getTime()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
