import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The runtime an invocation belongs to, where one process runs several
 * (the local runtime, started twice by a test): its environment, and
 * everything a function keeps per cold start (config, clients, caches,
 * clock), kept apart per runtime. On Lambda nothing sets one: a function
 * reads `process.env` and keeps what it builds at module level, as before.
 */
export type RuntimeScope = {
  /** The variables the runtime gives its handlers (as Lambda sets a function's environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
};

const current = new AsyncLocalStorage<RuntimeScope>();

/** Runs `run` (and all it starts) as part of `scope`'s runtime. */
export function inRuntimeScope<T>(scope: RuntimeScope, run: () => T): T {
  return current.run(scope, run);
}

/** The runtime the current invocation belongs to; undefined on Lambda (and outside any). */
export function runtimeScope(): RuntimeScope | undefined {
  return current.getStore();
}

/** The environment of the current invocation: its runtime's, else the process's. */
export function environment(): Readonly<Record<string, string | undefined>> {
  return current.getStore()?.env ?? process.env;
}

/**
 * A value kept per runtime: one slot for the process (Lambda, and code
 * outside any runtime), and one per runtime scope, dropped with it.
 */
export class PerRuntime<T> {
  #outside: T | undefined;
  readonly #scoped = new WeakMap<RuntimeScope, T>();

  get value(): T | undefined {
    const scope = current.getStore();
    return scope === undefined ? this.#outside : this.#scoped.get(scope);
  }

  /** The runtime scope's value, else the process's. */
  get inherited(): T | undefined {
    return this.value ?? this.#outside;
  }

  set value(value: T | undefined) {
    const scope = current.getStore();
    if (scope === undefined) this.#outside = value;
    else if (value === undefined) this.#scoped.delete(scope);
    else this.#scoped.set(scope, value);
  }
}
