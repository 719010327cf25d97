/**
 * Readings kept while the broker is unreachable: a bounded FIFO that drops the oldest when full and
 * counts what it dropped. A ring buffer, so a full queue of 10 000 costs no copying per reading.
 */
export class BoundedQueue<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private size = 0;
  /** Items pushed out by newer ones since the queue was made. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`queue capacity ${capacity} must be ≥ 1`);
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Appends; returns the item that was dropped to make room, if any. */
  push(item: T): T | undefined {
    let droppedItem: T | undefined;
    if (this.size === this.capacity) {
      droppedItem = this.shift();
      this.dropped++;
    }
    this.items[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return droppedItem;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return item;
  }
}
