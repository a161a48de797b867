/**
 * Journey time for a simulation: a heap of timers ordered by due time, then
 * by the order they were set. Nothing waits in real time; `run` jumps from
 * one due timer to the next and finishes each one's work before the next.
 */
type Timer = { at: number; seq: number; fire: () => Promise<void> | void };

export class Timers {
  private readonly heap: Timer[] = [];
  private seq = 0;
  /** Virtual now, epoch milliseconds. */
  now: number;

  constructor(start: number) {
    this.now = start;
  }

  /** Runs `fire` at `at` (not before now: a past time runs next). */
  at(at: number, fire: Timer['fire']): void {
    this.push({ at: Math.max(at, this.now), seq: this.seq++, fire });
  }

  /** When the next timer is due (infinity when none is left). */
  get nextAt(): number {
    return this.heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  /** Fires timers in order until none is left or the next is after `until`. */
  async run(until = Number.POSITIVE_INFINITY, onTick?: (now: number) => void): Promise<void> {
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.at > until) return;
      this.pop();
      this.now = next.at;
      await next.fire();
      onTick?.(this.now);
    }
  }

  private before(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent];
      if (p === undefined || !this.before(timer, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = timer;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = last;
      let at = -1;
      const left = h[l];
      const right = h[r];
      if (left !== undefined && this.before(left, smallest)) {
        smallest = left;
        at = l;
      }
      if (right !== undefined && this.before(right, smallest)) {
        smallest = right;
        at = r;
      }
      if (at < 0) break;
      h[i] = smallest;
      i = at;
    }
    h[i] = last;
  }
}
