/**
 * Slows password guessing without locking a dispatch centre out of its own system.
 *
 * Failures are counted per username (the account under attack) and per client address (one
 * machine trying many accounts). At `freeFailures` consecutive failures a key is locked for
 * `baseLockSec`, doubling with each further failure up to `maxLockSec`; a successful login clears
 * the username's count. Limits per address are far looser, because a whole call centre may sit
 * behind one NAT address. Kept in memory, bounded: the oldest keys are forgotten first.
 */
export interface LoginThrottleConfig {
  /** Consecutive failures that lock a username. */
  freeFailures: number;
  /** Failures that lock an address (any usernames). */
  freeFailuresPerAddress: number;
  baseLockSec: number;
  maxLockSec: number;
  /** A key with no failure for this long starts from zero again, seconds. */
  forgetAfterSec: number;
  /** Most keys kept (each a few dozen bytes). */
  maxKeys: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleConfig = {
  freeFailures: 5,
  freeFailuresPerAddress: 50,
  baseLockSec: 30,
  maxLockSec: 15 * 60,
  forgetAfterSec: 60 * 60,
  maxKeys: 50_000,
};

interface Entry {
  failures: number;
  lastFailureMs: number;
  lockedUntilMs: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSec: number };

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly cfg: LoginThrottleConfig = DEFAULT_LOGIN_THROTTLE) {}

  /** May this username try from this address at `nowMs`? */
  check(username: string, address: string, nowMs: number): ThrottleDecision {
    const until = Math.max(this.lockedUntil(userKey(username), nowMs), this.lockedUntil(addressKey(address), nowMs));
    return until > nowMs ? { allowed: false, retryAfterSec: Math.ceil((until - nowMs) / 1000) } : { allowed: true };
  }

  failed(username: string, address: string, nowMs: number): void {
    this.count(userKey(username), this.cfg.freeFailures, nowMs);
    this.count(addressKey(address), this.cfg.freeFailuresPerAddress, nowMs);
  }

  /** A good password: the account's count starts again (the address keeps its, against spraying). */
  succeeded(username: string): void {
    this.entries.delete(userKey(username));
  }

  get size(): number {
    return this.entries.size;
  }

  private lockedUntil(key: string, nowMs: number): number {
    const e = this.entries.get(key);
    return e && nowMs - e.lastFailureMs < this.cfg.forgetAfterSec * 1000 ? e.lockedUntilMs : 0;
  }

  private count(key: string, free: number, nowMs: number): void {
    const prev = this.entries.get(key);
    const fresh = !prev || nowMs - prev.lastFailureMs >= this.cfg.forgetAfterSec * 1000;
    const failures = fresh ? 1 : prev.failures + 1;
    const over = failures - free + 1;
    const lockSec = over > 0 ? Math.min(this.cfg.maxLockSec, this.cfg.baseLockSec * 2 ** (over - 1)) : 0;
    // Re-inserted so the Map's order is least recently failed first (the eviction order).
    this.entries.delete(key);
    this.entries.set(key, { failures, lastFailureMs: nowMs, lockedUntilMs: lockSec ? nowMs + lockSec * 1000 : 0 });
    while (this.entries.size > this.cfg.maxKeys) this.entries.delete(this.entries.keys().next().value!);
  }
}

const userKey = (username: string) => `u:${username.toLowerCase()}`;
const addressKey = (address: string) => `a:${address}`;
