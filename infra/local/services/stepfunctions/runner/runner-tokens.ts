import { randomUUID } from 'node:crypto';

/** Who is waiting on a task token. */
export type TokenOwner = { executionName: string; stateName: string };

/** How a waiting Task ends: the output of SendTaskSuccess, or the error of SendTaskFailure. */
export type TokenSettlement = { ok: true; output: unknown } | { ok: false; error: string; cause: string };

/** Thrown by sendTaskSuccess/sendTaskFailure for a token nobody waits on (AWS: TaskDoesNotExist / TaskTimedOut). */
export class TaskTokenNotFoundError extends Error {
  constructor(token: string) {
    super(`No task is waiting on token ${token.slice(0, 16)}…: it completed, timed out or never existed`);
    this.name = 'TaskDoesNotExist';
  }
}

/** An error carried by SendTaskFailure: Catch and Retry match it by `name`. */
export class TaskFailureError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

type Waiter = TokenOwner & { settle: (settlement: TokenSettlement) => void };

/**
 * The task tokens of `.waitForTaskToken` Tasks that are waiting. One registry
 * may serve several state machines (the local Step Functions API keeps one),
 * as SendTaskSuccess names only the token.
 */
export class TaskTokenRegistry {
  readonly #waiting = new Map<string, Waiter>();

  /** A fresh token, opaque like the real ones. */
  newToken(): string {
    return `local-${randomUUID()}${randomUUID()}`.replaceAll('-', '');
  }

  /** Registers `token` and returns the promise of its settlement. */
  wait(token: string, owner: TokenOwner): Promise<TokenSettlement> {
    return new Promise((resolve) => {
      this.#waiting.set(token, { ...owner, settle: resolve });
    });
  }

  /**
   * Registers `token` for a parked execution: `settle` is called
   * synchronously by SendTaskSuccess/Failure, so the execution is running
   * again by the time the call returns.
   */
  listen(token: string, owner: TokenOwner, settle: (settlement: TokenSettlement) => void): void {
    this.#waiting.set(token, { ...owner, settle });
  }

  /** Forgets a token whose Task ended otherwise (timeout, abort). */
  forget(token: string): void {
    this.#waiting.delete(token);
  }

  /** Resumes the Task waiting on `token` with `output`. */
  sendTaskSuccess(token: string, output: unknown): void {
    this.#take(token).settle({ ok: true, output });
  }

  /** Fails the Task waiting on `token` with a named error (matched by its Retry/Catch). */
  sendTaskFailure(token: string, error = 'States.TaskFailed', cause = ''): void {
    this.#take(token).settle({ ok: false, error, cause });
  }

  /** The tokens waiting now, with their owners (for inspection and tests). */
  pending(): (TokenOwner & { token: string })[] {
    return [...this.#waiting].map(([token, w]) => ({
      token,
      executionName: w.executionName,
      stateName: w.stateName,
    }));
  }

  #take(token: string): Waiter {
    const waiter = this.#waiting.get(token);
    if (waiter === undefined) throw new TaskTokenNotFoundError(token);
    this.#waiting.delete(token);
    return waiter;
  }
}
