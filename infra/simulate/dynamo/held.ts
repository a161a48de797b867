import type { Doc as Item } from './documents.ts';
import { packDoc, unpackDoc } from './packed.ts';

/**
 * How items are held: the most recently used as objects, the rest packed
 * (packed.ts). A customer's calls come in bursts (an event, then its sends
 * and waits), so a burst reads and writes its items as objects, and they are
 * packed once when they fall out of use — packing on every write would cost
 * more than the memory it saves.
 */

/**
 * One item as held; `size` is its billing size, kept beside it. `text`: the
 * item packed, kept while it still is the item (an item read back and only
 * read is packed again for free). `moved`: when it last became the most
 * recently used (a count of such moves), −1 while packed.
 */
export type Held = { item: Item | undefined; text: string | undefined; size: number; moved: number };

export class HeldItems {
  /** Entries holding objects, least recently used first. */
  private readonly hot = new Set<Held>();
  /** Moves to the most recently used end so far. */
  private moves = 0;
  /** Items unpacked so far (each a parse of its JSON). */
  unpacked = 0;

  constructor(private readonly hotLimit: number) {}

  create(item: Item, size: number): Held {
    const held: Held = { item, text: undefined, size, moved: -1 };
    this.touch(held);
    return held;
  }

  /** The item: the held objects themselves (frozen: documents.ts). */
  item(held: Held): Item {
    let item = held.item;
    if (item === undefined) {
      item = unpackDoc(held.text ?? '{}');
      held.item = item;
      this.unpacked += 1;
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
    held.moved = -1;
  }

  /**
   * Marks an entry used. One moved to the recent end within the last half of
   * the limit's moves is left where it is: at least half the entries are
   * older than it, so it is not next to be packed, and most uses (a burst on
   * the same few items) cost no move at all. Which items are packed is all
   * this decides; what a read returns is the same either way.
   */
  private touch(held: Held): void {
    if (held.moved >= 0 && this.moves - held.moved < this.hotLimit / 2) return;
    this.hot.delete(held);
    this.hot.add(held);
    held.moved = this.moves++;
    if (this.hot.size > this.hotLimit) this.packOldest();
  }

  /**
   * Packs the least recently used eighth of the limit at once. One at a time
   * would cost a walk from the front of the set each time: a Set keeps the
   * places of deleted entries until it is rebuilt, and they gather at the
   * front, where the oldest are deleted.
   */
  private packOldest(): void {
    let excess = this.hot.size - (this.hotLimit - Math.floor(this.hotLimit / 8));
    for (const oldest of this.hot) {
      if (excess-- <= 0) break;
      this.hot.delete(oldest);
      if (oldest.item !== undefined && oldest.text === undefined) oldest.text = packDoc(oldest.item);
      oldest.item = undefined;
      oldest.moved = -1;
    }
  }
}
