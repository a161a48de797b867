import type { Fault, FaultProxy } from './fault-proxy.ts';

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
 * The points of an invocation that made `requests` requests when nothing failed: each of them
 * before and after it lands, and one past the last, where nothing dies. Any later point repeats
 * that one. A test checks that the invocation died at each point before it and lived at the
 * last: a path that changed length fails there instead of leaving requests uncovered.
 */
export function crashPointsOf(requests: number): CrashPoint[] {
  return [...crashPoints(requests), { point: requests, landing: 'before' }];
}

/** The error an in-process stand-in's caller gets when the invocation died at that call. */
export class InjectedCrash extends Error {
  override name = 'InjectedCrash';
}

export class CrashPlan {
  private seen = 0;
  private dead = false;

  /** A plan that never dies: every request passes, and is counted. */
  static never(): CrashPlan {
    return new CrashPlan(Number.POSITIVE_INFINITY, 'before');
  }

  constructor(
    readonly point: number,
    readonly landing: Landing,
  ) {}

  /** The fault of the next request; one before the point gets `alive` (a provider's own answer). */
  next(alive: Fault = 'pass'): Fault {
    const index = this.seen;
    this.seen += 1;
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
    return this.seen;
  }

  /** Routes every request through these proxies to this plan. */
  onProxies(...proxies: FaultProxy[]): this {
    for (const proxy of proxies) proxy.plan(() => this.next());
    return this;
  }

  /**
   * A call to an in-process stand-in under the plan: `effect` is the call
   * landing. Dead before it, the effect never happens; dead after it, it
   * happens and the caller gets an error instead of its answer.
   */
  async call<T>(effect: () => T | Promise<T>): Promise<T> {
    const fault = this.next();
    if (fault === 'error-before') throw new InjectedCrash('the invocation died before the call landed');
    const answer = await effect();
    if (fault !== 'pass') throw new InjectedCrash('the invocation died after the call landed');
    return answer;
  }
}
