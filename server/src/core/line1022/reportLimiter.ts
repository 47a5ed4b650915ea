/**
 * Public reports per phone number and per client address, in a sliding window. Looser per address
 * than per phone: a whole apartment block or a mobile carrier's NAT can share one address. Kept in
 * memory and bounded (the oldest keys are forgotten first); a restart forgets, which is acceptable
 * for a brake on floods, not a quota.
 */
export interface ReportLimits {
  perPhone: number;
  perAddress: number;
  windowSec: number;
  maxKeys: number;
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = { perPhone: 5, perAddress: 30, windowSec: 3600, maxKeys: 50_000 };

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSec: number; by: 'phone' | 'address' };

export class ReportLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly cfg: ReportLimits = DEFAULT_REPORT_LIMITS) {}

  /** Counts the attempt when it is allowed; a refused attempt is not counted (no lock-out spiral). */
  take(phone: string, address: string, nowMs: number): LimitDecision {
    const p = this.recent(`p:${phone}`, nowMs);
    const a = this.recent(`a:${address}`, nowMs);
    if (p.length >= this.cfg.perPhone) return { allowed: false, by: 'phone', retryAfterSec: this.retry(p, nowMs) };
    if (a.length >= this.cfg.perAddress) return { allowed: false, by: 'address', retryAfterSec: this.retry(a, nowMs) };
    this.store(`p:${phone}`, [...p, nowMs]);
    this.store(`a:${address}`, [...a, nowMs]);
    return { allowed: true };
  }

  private recent(key: string, nowMs: number): number[] {
    const from = nowMs - this.cfg.windowSec * 1000;
    return (this.hits.get(key) ?? []).filter((t) => t > from);
  }

  private retry(times: number[], nowMs: number): number {
    return Math.max(1, Math.ceil((times[0]! + this.cfg.windowSec * 1000 - nowMs) / 1000));
  }

  private store(key: string, times: number[]): void {
    this.hits.delete(key);
    this.hits.set(key, times);
    while (this.hits.size > this.cfg.maxKeys) this.hits.delete(this.hits.keys().next().value!);
  }
}
