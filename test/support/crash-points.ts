import type { Fault, FaultProxy, FaultRequest } from './fault-proxy.ts';

/**
 * An invocation that dies (its Lambda times out, or runs out of memory) at
 * one of its requests: before the request lands, or after it lands with the
 * answer never read. Requests are counted across every service the
 * invocation calls, in the order it makes them: those through fault proxies
 * (DynamoDB, the providers) and those of in-process stand-ins for services
 * with no local server (`call`). Once dead, nothing it asks for lands.
 */
export type Landing = 'before' | 'after';

export type CrashPoint = { point: number; landing: Landing };

/** Every point of an invocation making fewer than `points` requests, each before and after it lands. */
export function crashPoints(points: number): CrashPoint[] {
  return Array.from({ length: points }, (_, point) => point).flatMap((point) =>
    (['before', 'after'] as const).map((landing) => ({ point, landing })),
  );
}

/**
 * A request as crash points tell requests apart: its operation (`GetItem`,
 * `StartExecution`, `POST /v2/email/outbound-emails`), the table it names,
 * when it names one, and the expressions of its writes (`UpdateExpression`,
 * `ConditionExpression`): a write guarded differently is another request,
 * though its operation and table are the same.
 */
export type RequestKind = string;

/** The expressions a write's body states (placeholders, not values: the same for every item). */
const EXPRESSION = /"(UpdateExpression|ConditionExpression)":"((?:[^"\\]|\\.)*)"/g;

/** Operations that only read: one whose answer is lost changes nothing its caller can see. */
const READS = /^(Get|BatchGet|TransactGet|Query|Scan|Describe|List)[A-Z]/;

/** True when the request only reads (an unknown request may write). */
export function readsOnly(kind: RequestKind): boolean {
  return READS.test(kind);
}

/** The kind of a request through a fault proxy: the operation its target names, and its table. */
export function kindOf(request: FaultRequest): RequestKind {
  const { target } = request;
  const operation = target.includes(' ') ? target : target.slice(target.lastIndexOf('.') + 1);
  const table = /"TableName":"([^"]+)"/.exec(request.body)?.[1];
  const expressions = [...request.body.matchAll(EXPRESSION)].map(([, name, text]) => `${name}=${text}`);
  return [operation, table, ...expressions].filter((part) => part !== undefined).join(' ');
}

/**
 * The points of an invocation whose requests, when nothing failed, were `path`: each of them
 * before it lands, some also after it lands, and one past the last, where nothing dies. Any later
 * point repeats the last. A test checks that the invocation died at each point before it and lived
 * at the last: a path that changed length fails there instead of leaving requests uncovered.
 *
 * Dying after a request lands leaves the requests before it and itself landed, as dying before the
 * next one does: the retry finds the same world, and when the invocation acts only through its
 * requests, the point after adds nothing — except after the last request, which no next one stands
 * for. An invocation that also acts on its answers in-process (`answersAct`: send counts its outcome
 * as it learns it) is tried after each write too. Never after a read: one that lands with its answer
 * lost leaves the world as one that never landed, and the invocation dies there either way.
 */
export function crashPointsOf(
  path: readonly RequestKind[],
  options: { answersAct?: boolean } = {},
): CrashPoint[] {
  const after = (kind: RequestKind, point: number) =>
    !readsOnly(kind) && (options.answersAct === true || point === path.length - 1);
  const points = path.flatMap((kind, point): CrashPoint[] =>
    after(kind, point)
      ? [
          { point, landing: 'before' },
          { point, landing: 'after' },
        ]
      : [{ point, landing: 'before' }],
  );
  return [...points, { point: path.length, landing: 'before' }];
}

/**
 * The indexes of the first of each distinct path among `paths`: invocations whose requests, with
 * nothing failing, were the same kinds in the same order die the same ways at the same points, and
 * one of them stands for all in a crash-point test. The grouping comes from the recorded paths, so
 * an invocation whose path changes gets points of its own.
 */
export function firstOfEachPath(paths: readonly (readonly RequestKind[])[]): number[] {
  const seen = new Map<string, number>();
  paths.forEach((path, index) => {
    const key = JSON.stringify(path);
    if (!seen.has(key)) seen.set(key, index);
  });
  return [...seen.values()];
}

/** The error an in-process stand-in's caller gets when the invocation died at that call. */
export class InjectedCrash extends Error {
  override name = 'InjectedCrash';
}

export class CrashPlan {
  private readonly kinds: RequestKind[] = [];
  private dead = false;

  /** A plan that never dies: every request passes, and is counted. */
  static never(): CrashPlan {
    return new CrashPlan(Number.POSITIVE_INFINITY, 'before');
  }

  constructor(
    readonly point: number,
    readonly landing: Landing,
  ) {}

  /** The fault of the next request, of `kind`; one before the point gets `alive` (a provider's own answer). */
  next(kind: RequestKind, alive: Fault = 'pass'): Fault {
    const index = this.kinds.length;
    this.kinds.push(kind);
    if (index < this.point) return alive;
    this.dead = true;
    return index === this.point && this.landing === 'after' ? 'reset-after' : 'error-before';
  }

  /** True once the invocation has died. */
  died(): boolean {
    return this.dead;
  }

  /** Requests the invocation made (or tried to make) so far. */
  requests(): number {
    return this.kinds.length;
  }

  /** The kinds of the requests the invocation made (or tried to make) so far, in order. */
  path(): RequestKind[] {
    return [...this.kinds];
  }

  /** Routes every request through these proxies to this plan. */
  onProxies(...proxies: FaultProxy[]): this {
    for (const proxy of proxies) proxy.plan((_, request) => this.next(kindOf(request)));
    return this;
  }

  /**
   * A call of `kind` to an in-process stand-in under the plan: `effect` is
   * the call landing. Dead before it, the effect never happens; dead after
   * it, it happens and the caller gets an error instead of its answer.
   */
  async call<T>(kind: RequestKind, effect: () => T | Promise<T>): Promise<T> {
    const fault = this.next(kind);
    if (fault === 'error-before') throw new InjectedCrash('the invocation died before the call landed');
    const answer = await effect();
    if (fault !== 'pass') throw new InjectedCrash('the invocation died after the call landed');
    return answer;
  }
}
