/**
 * Journey time for a simulation: a heap of timers ordered by due time, then
 * by the order they were set. Nothing waits in real time; `run` jumps from
 * one due timer to the next and finishes each one's work before the next.
 *
 * The heap keeps each timer's due time and order in typed arrays beside the
 * array of its functions: a forecast sets a timer for every wait, event and
 * provider report of every customer in flight, and ordering them reads only
 * the two numbers, side by side in memory, instead of an object per timer.
 */
type Fire = () => Promise<void> | void;

const INITIAL_CAPACITY = 1024;

export class Timers {
  /** Due times (epoch ms), heap-ordered with `seqs`. */
  private ats = new Float64Array(INITIAL_CAPACITY);
  /** The order each timer was set in: of two due at once, the earlier set fires first. */
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private readonly fires: (Fire | undefined)[] = [];
  private size = 0;
  private seq = 0;
  /** Virtual now, epoch milliseconds. */
  now: number;

  constructor(start: number) {
    this.now = start;
  }

  /** Runs `fire` at `at` (not before now: a past time runs next). */
  at(at: number, fire: Fire): void {
    this.push(Math.max(at, this.now), this.seq++, fire);
  }

  /** When the next timer is due (infinity when none is left). */
  get nextAt(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : (this.ats[0] ?? Number.POSITIVE_INFINITY);
  }

  /** Fires timers in order until none is left or the next is after `until`. */
  async run(until = Number.POSITIVE_INFINITY, onTick?: (now: number) => void): Promise<void> {
    while (this.size > 0) {
      const at = this.ats[0] ?? Number.POSITIVE_INFINITY;
      if (at > until) return;
      const fire = this.pop();
      this.now = at;
      await fire?.();
      onTick?.(this.now);
    }
  }

  private grow(): void {
    const ats = new Float64Array(this.ats.length * 2);
    ats.set(this.ats);
    this.ats = ats;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }

  private push(at: number, seq: number, fire: Fire): void {
    if (this.size === this.ats.length) this.grow();
    const { ats, seqs, fires } = this;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentAt = ats[parent] ?? 0;
      if (parentAt < at || (parentAt === at && (seqs[parent] ?? 0) < seq)) break;
      ats[i] = parentAt;
      seqs[i] = seqs[parent] ?? 0;
      fires[i] = fires[parent];
      i = parent;
    }
    ats[i] = at;
    seqs[i] = seq;
    fires[i] = fire;
  }

  /** Takes the first timer off the heap: its function. */
  private pop(): Fire | undefined {
    const { ats, seqs, fires } = this;
    const first = fires[0];
    const n = --this.size;
    const lastAt = ats[n] ?? 0;
    const lastSeq = seqs[n] ?? 0;
    const lastFire = fires[n];
    // The function is let go of: a fired timer holds nothing.
    fires[n] = undefined;
    if (n === 0) return first;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      let childAt = ats[left] ?? 0;
      if (right < n) {
        const rightAt = ats[right] ?? 0;
        if (rightAt < childAt || (rightAt === childAt && (seqs[right] ?? 0) < (seqs[left] ?? 0))) {
          child = right;
          childAt = rightAt;
        }
      }
      if (lastAt < childAt || (lastAt === childAt && lastSeq < (seqs[child] ?? 0))) break;
      ats[i] = childAt;
      seqs[i] = seqs[child] ?? 0;
      fires[i] = fires[child];
      i = child;
    }
    ats[i] = lastAt;
    seqs[i] = lastSeq;
    fires[i] = lastFire;
    return first;
  }
}
