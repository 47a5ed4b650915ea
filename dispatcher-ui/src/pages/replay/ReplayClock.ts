import { advance } from './replayMath.ts';

export interface ClockState {
  playing: boolean;
  speed: number;
  fromMs: number;
  toMs: number;
}

/**
 * The replay's time, outside React: the map layers and the scrubber follow it every animation
 * frame by subscription, and React re-renders only on play/pause/speed/window changes (and the
 * event list only when the current event changes).
 */
export class ReplayClock {
  private t = 0;
  private state: ClockState = { playing: false, speed: 10, fromMs: 0, toMs: 0 };
  private readonly tick = new Set<(tMs: number) => void>();
  private readonly changes = new Set<() => void>();
  private raf = 0;
  private last = 0;

  get timeMs(): number {
    return this.t;
  }

  /** For useSyncExternalStore: a new object only when something in it changed. */
  getState = (): ClockState => this.state;
  subscribeState = (l: () => void): (() => void) => {
    this.changes.add(l);
    return () => void this.changes.delete(l);
  };
  /** Called with the time on every change (seek, and every frame while playing). */
  onTime(l: (tMs: number) => void): () => void {
    this.tick.add(l);
    l(this.t);
    return () => void this.tick.delete(l);
  }

  setWindow(fromMs: number, toMs: number, startMs = fromMs): void {
    this.pause();
    this.setState({ fromMs, toMs });
    this.seek(startMs);
  }

  seek(tMs: number): void {
    this.t = Math.min(this.state.toMs, Math.max(this.state.fromMs, tMs));
    for (const l of this.tick) l(this.t);
  }

  setSpeed(speed: number): void {
    this.setState({ speed });
  }

  play(): void {
    if (this.state.playing) return;
    if (this.t >= this.state.toMs) this.seek(this.state.fromMs);
    this.setState({ playing: true });
    this.last = performance.now();
    this.raf = requestAnimationFrame(this.frame);
  }

  pause(): void {
    cancelAnimationFrame(this.raf);
    if (this.state.playing) this.setState({ playing: false });
  }

  dispose(): void {
    cancelAnimationFrame(this.raf);
    this.tick.clear();
    this.changes.clear();
  }

  private frame = (now: number) => {
    const r = advance(this.t, now - this.last, this.state.speed, this.state.toMs);
    this.last = now;
    this.seek(r.tMs);
    if (r.ended) this.pause();
    else this.raf = requestAnimationFrame(this.frame);
  };

  private setState(patch: Partial<ClockState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.changes) l();
  }
}
