/** Named monotonic counters (messages accepted, rejected by reason, …), exposed on /healthz and, as Prometheus counters, on /metrics. */
export class Counters {
  private readonly values = new Map<string, number>();
  /** Told of every increment: the Prometheus metrics (adapters/metrics.ts). */
  onInc: ((name: string, by: number) => void) | null = null;
  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
    this.onInc?.(name, by);
  }
  get(name: string): number {
    return this.values.get(name) ?? 0;
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.values.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
