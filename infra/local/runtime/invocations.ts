import { AsyncLocalStorage } from 'node:async_hooks';
import { inRuntimeScope, type RuntimeScope } from '#functions/_lib/runtime-scope.ts';

/**
 * Lambda runs one invocation at a time in an execution environment, so
 * Powertools keeps an invocation's metrics, dimensions and log attributes on
 * the shared `metrics` and `logger` objects. Where Lambda runs several at
 * once (Lambda Managed Instances), its runtime sets
 * `AWS_LAMBDA_MAX_CONCURRENCY` and runs each invocation in a context of its
 * own, published as `awslambda.InvokeStore`; Powertools then keeps that state
 * per context. The local runtime runs handlers concurrently in one process,
 * so it does the same: two sends at once never share a dimension or an EMF
 * line. The handlers are unchanged, and so is their behaviour on Lambda.
 */

/** The keys the Lambda runtime sets in each invocation's context (as `@aws/lambda-invoke-store` names them). */
const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
const X_RAY_TRACE_ID = Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID');
const TRACEPARENT = Symbol.for('_AWS_LAMBDA_TRACEPARENT');
const TRACESTATE = Symbol.for('_AWS_LAMBDA_TRACESTATE');
const BAGGAGE = Symbol.for('_AWS_LAMBDA_BAGGAGE');

/**
 * Set where invocations may overlap; Powertools only checks that it is set.
 * The local runtime bounds nothing with it (the bus and Step Functions pace themselves).
 */
const MAX_CONCURRENCY = '64';

type Context = Map<string | symbol, unknown>;

/** The part of the Lambda runtime's invocation store that Powertools and the AWS SDK use. */
class InvocationStore {
  readonly #current = new AsyncLocalStorage<Context>();
  /** Outside any invocation (start-up, a handler called directly): one context, as on Lambda without concurrency. */
  readonly #outside: Context = new Map();

  hasContext(): boolean {
    return this.#current.getStore() !== undefined;
  }

  get(key: string | symbol): unknown {
    return (this.#current.getStore() ?? this.#outside).get(key);
  }

  set(key: string | symbol, value: unknown): void {
    (this.#current.getStore() ?? this.#outside).set(key, value);
  }

  run<T>(context: Record<string | symbol, unknown>, fn: () => T): T {
    const entries: [string | symbol, unknown][] = [
      ...Object.entries(context),
      ...Object.getOwnPropertySymbols(context).map((key): [symbol, unknown] => [key, context[key]]),
    ];
    return this.#current.run(new Map(entries), fn);
  }

  getXRayTraceId(): string | undefined {
    return this.text(X_RAY_TRACE_ID);
  }

  getTraceparent(): string | undefined {
    return this.text(TRACEPARENT);
  }

  getTracestate(): string | undefined {
    return this.text(TRACESTATE);
  }

  getBaggage(): string | undefined {
    return this.text(BAGGAGE);
  }

  private text(key: symbol): string | undefined {
    const value = this.get(key);
    return typeof value === 'string' ? value : undefined;
  }
}

let store: InvocationStore | undefined;
/** Whether this process set AWS_LAMBDA_MAX_CONCURRENCY (then it takes it back). */
let concurrencySet = false;

/**
 * The store every local invocation runs in, published where the Lambda
 * runtime publishes its own (replacing the single-context one the AWS SDK
 * may have created).
 */
function invocationStore(): InvocationStore {
  if (store !== undefined) return store;
  store = new InvocationStore();
  const lambda: unknown = Reflect.get(globalThis, 'awslambda');
  const holder = typeof lambda === 'object' && lambda !== null ? lambda : {};
  Reflect.set(holder, 'InvokeStore', store);
  Reflect.set(globalThis, 'awslambda', holder);
  return store;
}

/**
 * From a runtime's start to its stop, Powertools keeps state per invocation:
 * the store is published first, so Powertools never looks for one that is
 * not there. The variable is taken back at the stop, so a process started
 * afterwards (a test's child, a worker) does not inherit it without a store.
 */
export function runInvocationsConcurrently(): void {
  invocationStore();
  if (process.env.AWS_LAMBDA_MAX_CONCURRENCY !== undefined) return;
  process.env.AWS_LAMBDA_MAX_CONCURRENCY = MAX_CONCURRENCY;
  concurrencySet = true;
}

/** Back to one invocation at a time (the runtime stopped). */
export function stopRunningInvocationsConcurrently(): void {
  if (!concurrencySet) return;
  delete process.env.AWS_LAMBDA_MAX_CONCURRENCY;
  concurrencySet = false;
}

/**
 * Runs one invocation in a context of its own, as Lambda runs concurrent
 * invocations, as part of its runtime (`scope`): the handler reads that
 * runtime's environment and keeps its config, clients and caches apart from
 * another runtime's in the same process (functions/_lib/runtime-scope.ts).
 */
export function inInvocation<T>(requestId: string, run: () => T, scope?: RuntimeScope): T {
  const scoped = scope === undefined ? run : () => inRuntimeScope(scope, run);
  return invocationStore().run({ [REQUEST_ID]: requestId }, scoped);
}
