import type { Item } from './expression-eval.ts';
import { pack, unpack } from './packed.ts';

/**
 * How items are held: the most recently used as objects, the rest packed
 * (packed.ts). A customer's calls come in bursts (an event, then its sends
 * and waits), so a burst reads and writes its items as objects, and they are
 * packed once when they fall out of use — packing on every write would cost
 * more than the memory it saves.
 */

/** One item as held; `size` is its billing size, kept beside it. */
export type Held = { item: Item | undefined; text: string | undefined; size: number };

export class HeldItems {
  /** Entries holding objects, least recently used first. */
  private readonly hot = new Set<Held>();

  constructor(private readonly hotLimit: number) {}

  create(item: Item, size: number): Held {
    const held: Held = { item, text: undefined, size };
    this.touch(held);
    return held;
  }

  /** The item: the held objects themselves (readers copy before changing anything). */
  item(held: Held): Item {
    let item = held.item;
    if (item === undefined) {
      item = unpack(held.text ?? '{}');
      held.item = item;
      held.text = undefined;
    }
    this.touch(held);
    return item;
  }

  /** The item under the same key changed: the new objects are held. */
  replace(held: Held, item: Item, size: number): void {
    held.item = item;
    held.text = undefined;
    held.size = size;
    this.touch(held);
  }

  forget(held: Held): void {
    this.hot.delete(held);
  }

  private touch(held: Held): void {
    this.hot.delete(held);
    this.hot.add(held);
    if (this.hot.size <= this.hotLimit) return;
    const oldest: Held | undefined = this.hot.values().next().value;
    if (oldest === undefined) return;
    this.hot.delete(oldest);
    if (oldest.item !== undefined) oldest.text = pack(oldest.item);
    oldest.item = undefined;
  }
}
