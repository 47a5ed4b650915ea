/** Runs a callback before the next paint; `requestAnimationFrame` in the browser, manual in tests. */
export type FrameScheduler = (run: () => void) => void;

export interface FrameBatch<K> {
  /** Everything must be redrawn (a snapshot replaced the data); `keys` is then empty. */
  reset: boolean;
  /** Keys changed since the previous frame, each once however often it changed. */
  keys: ReadonlySet<K>;
}

/**
 * Collects changed keys and hands them over at most once per animation frame. Several messages
 * about one unit within a frame become one entry: the consumer reads the unit's latest state when
 * the frame runs, so the map is updated once per frame, never once per message.
 */
export class FrameBatcher<K> {
  private keys = new Set<K>();
  private reset = false;
  private scheduled = false;
  private disposed = false;

  constructor(
    private readonly flush: (batch: FrameBatch<K>) => void,
    private readonly schedule: FrameScheduler = (run) => void requestAnimationFrame(run),
  ) {}

  add(keys: Iterable<K>): void {
    if (this.disposed) return;
    if (!this.reset) for (const k of keys) this.keys.add(k);
    this.request();
  }

  markReset(): void {
    if (this.disposed) return;
    this.reset = true;
    this.keys.clear();
    this.request();
  }

  /** True while changes wait for the next frame. */
  get pending(): boolean {
    return this.reset || this.keys.size > 0;
  }

  dispose(): void {
    this.disposed = true;
    this.keys.clear();
  }

  private request(): void {
    if (this.scheduled || !this.pending) return;
    this.scheduled = true;
    this.schedule(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    if (this.disposed || !this.pending) return;
    const batch: FrameBatch<K> = { reset: this.reset, keys: this.keys };
    this.reset = false;
    this.keys = new Set();
    this.flush(batch);
  }
}
