import { mulberry32 } from '#infra/simulate/scenario/random.ts';

/**
 * Time for a load model: `sleep` registers a timer; `run` lets every promise
 * chain settle, then jumps to the next timer. Nothing depends on the wall
 * clock or the machine's speed, so a run gives the same figures anywhere.
 */
export class VirtualTime {
  nowMs = 0;
  /** Timers sorted by due time, then by the order they were set. */
  private readonly timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;

  sleep = (ms: number): Promise<void> => {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = { at: this.nowMs + ms, seq: this.seq++, resolve };
      let lo = 0;
      let hi = this.timers.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const other = this.timers[mid];
        if (other !== undefined && other.at <= timer.at) lo = mid + 1;
        else hi = mid;
      }
      this.timers.splice(lo, 0, timer);
    });
  };

  /**
   * Runs until no timer is left once all work has settled, or until the next
   * timer is past `untilMs`: then the work still waiting is left as it is and
   * the answer is false.
   */
  async run(untilMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    for (;;) {
      // Every fake resolves through promises: one macrotask turn settles all of them.
      await new Promise((resolve) => setImmediate(resolve));
      const first = this.timers[0];
      if (first === undefined) return true;
      if (first.at > untilMs) return false;
      this.nowMs = first.at;
      while (this.timers[0] !== undefined && this.timers[0].at === first.at) this.timers.shift()?.resolve();
    }
  }
}

/** A small seeded generator: jitter that is the same on every run. */
export function seeded(seed: number): () => number {
  return mulberry32(seed);
}
