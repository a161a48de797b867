/** A timer of the journey clock. */
export type DueTimer = { at: number; key: string; seq: number; fire: () => void };

/**
 * Timers ordered by due time, then by their owner's key (an execution and
 * state name: stable from run to run, unlike the order in which concurrent
 * work happened to set them), then by the order they were set: a binary heap,
 * so thousands of waiting enrollments cost log n per timer. Cancelled timers
 * are dropped from the heap at once, so it holds only live timers.
 */
export class TimerQueue {
  readonly #heap: DueTimer[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** Adds a timer; returns a function that cancels it. */
  add(at: number, key: string, fire: () => void): () => void {
    const timer: DueTimer = { at, key, seq: this.#seq++, fire };
    this.#heap.push(timer);
    this.#up(this.#heap.length - 1);
    return () => this.#remove(timer);
  }

  peek(): DueTimer | undefined {
    return this.#heap[0];
  }

  pop(): DueTimer | undefined {
    const top = this.#heap[0];
    if (top !== undefined) this.#removeAt(0);
    return top;
  }

  #remove(timer: DueTimer): void {
    const index = this.#heap.indexOf(timer);
    if (index >= 0) this.#removeAt(index);
  }

  #removeAt(index: number): void {
    const last = this.#heap.pop();
    if (last === undefined || index === this.#heap.length) return;
    this.#heap[index] = last;
    this.#down(index);
    this.#up(index);
  }

  #before(a: DueTimer, b: DueTimer): boolean {
    if (a.at !== b.at) return a.at < b.at;
    if (a.key !== b.key) return a.key < b.key;
    return a.seq < b.seq;
  }

  #up(start: number): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#swapIfBefore(i, parent)) return;
      i = parent;
    }
  }

  #down(start: number): void {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (this.#lessAt(left, smallest)) smallest = left;
      if (this.#lessAt(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }

  #lessAt(a: number, b: number): boolean {
    const x = this.#heap[a];
    const y = this.#heap[b];
    return x !== undefined && y !== undefined && this.#before(x, y);
  }

  #swapIfBefore(child: number, parent: number): boolean {
    if (!this.#lessAt(child, parent)) return false;
    this.#swap(child, parent);
    return true;
  }

  #swap(a: number, b: number): void {
    const x = this.#heap[a];
    const y = this.#heap[b];
    if (x === undefined || y === undefined) return;
    this.#heap[a] = y;
    this.#heap[b] = x;
  }
}
