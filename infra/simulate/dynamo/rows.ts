/**
 * A table's items by key. Items of a table with a sort key are grouped by
 * partition (a Query reads one partition); a table without one holds each
 * item directly under its partition key, with no per-item partition to pay
 * for (a forecast holds a profile and several deliveries per customer).
 */
export class Rows<T> {
  private readonly partitions = new Map<string, Map<string, T>>();
  private readonly single = new Map<string, T>();

  constructor(private readonly sorted: boolean) {}

  get(pk: string, sk: string): T | undefined {
    return this.sorted ? this.partitions.get(pk)?.get(sk) : this.single.get(pk);
  }

  set(pk: string, sk: string, value: T): void {
    if (!this.sorted) {
      this.single.set(pk, value);
      return;
    }
    let partition = this.partitions.get(pk);
    if (partition === undefined) {
      partition = new Map();
      this.partitions.set(pk, partition);
    }
    partition.set(sk, value);
  }

  delete(pk: string, sk: string): void {
    if (!this.sorted) {
      this.single.delete(pk);
      return;
    }
    const partition = this.partitions.get(pk);
    partition?.delete(sk);
    if (partition?.size === 0) this.partitions.delete(pk);
  }

  /** The sort keys and items of one partition, in insertion order ('' the key of an unsorted table's item). */
  entries(pk: string): [string, T][] {
    if (!this.sorted) {
      const value = this.single.get(pk);
      return value === undefined ? [] : [['', value]];
    }
    return [...(this.partitions.get(pk)?.entries() ?? [])];
  }

  /** Every item, partition by partition. */
  all(): T[] {
    if (!this.sorted) return [...this.single.values()];
    return [...this.partitions.values()].flatMap((p) => [...p.values()]);
  }

  get size(): number {
    if (!this.sorted) return this.single.size;
    let n = 0;
    for (const p of this.partitions.values()) n += p.size;
    return n;
  }
}
