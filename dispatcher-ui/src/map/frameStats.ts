/** What the unit layer's per-frame updates cost on the main thread (for test hooks and tuning). */
export interface FrameStatsSnapshot {
  /** Frames that updated the map. */
  frames: number;
  /** Unit changes applied, summed over frames. */
  units: number;
  /** Main-thread time spent building and handing over the updates, ms. */
  totalMs: number;
  maxMs: number;
}

export class FrameStats {
  private s: FrameStatsSnapshot = { frames: 0, units: 0, totalMs: 0, maxMs: 0 };

  record(units: number, ms: number): void {
    this.s.frames++;
    this.s.units += units;
    this.s.totalMs += ms;
    if (ms > this.s.maxMs) this.s.maxMs = ms;
  }

  snapshot = (): FrameStatsSnapshot => ({ ...this.s });
}
