/**
 * The push side of a live GpsSource (device, gpsd socket) meeting the pull side (`for await`).
 * Bounded: when the consumer falls behind, the oldest fixes are dropped — for a vehicle's
 * position the newest fix is the one that matters. `dropped` counts them.
 */
export class FixChannel<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  private closed = false;
  private failure: { error: unknown } | null = null;
  private iterated = false;
  dropped = 0;

  constructor(
    private readonly maxBuffered: number,
    /** Called when the consumer stops iterating early (break/return/throw in `for await`). */
    private readonly onAbandon: () => void,
  ) {}

  push(value: T): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value, done: false });
      return;
    }
    this.buffer.push(value);
    if (this.buffer.length > this.maxBuffered) {
      this.buffer.shift();
      this.dropped++;
    }
  }

  /** No more values; buffered ones are still delivered. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.settleWaiter();
  }

  /** The source failed: deliver what is buffered, then throw `error` from the iterator. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.closed = true;
    this.settleWaiter();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) throw new Error('a GpsSource can be iterated only once');
    this.iterated = true;
    return {
      next: () => {
        const value = this.buffer.shift();
        if (value !== undefined) return Promise.resolve({ value, done: false });
        if (this.failure) {
          const { error } = this.failure;
          this.failure = null;
          return Promise.reject(error);
        }
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiter = { resolve, reject };
        });
      },
      return: () => {
        this.onAbandon();
        this.closed = true;
        this.buffer.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private settleWaiter(): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      w.reject(error);
    } else w.resolve({ value: undefined, done: true });
  }
}
