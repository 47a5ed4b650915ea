/**
 * Slows password guessing without letting anyone lock a dispatch centre out of its own system
 * (OWASP ASVS 2.2.1: anti-automation that does not enable account lock-out as a denial of service).
 *
 * - Per (account, address) first: after `freeFailures` failures of one account from one address,
 *   that pair is locked for `baseLockSec`, doubling per further failure up to `maxLockSec`. An
 *   attacker guessing a dispatcher's password from his own machine locks only himself out.
 * - Per address: an address failing `freeFailuresPerAddress` times on any accounts (spraying) is
 *   locked. Far looser, because a whole call centre may sit behind one NAT address.
 * - Per account, only against a distributed attack: once an account has failed from
 *   `distributedAddresses` different addresses, it is locked — but only for addresses that have
 *   failed recently themselves. A correct password from an address with no recent failures always
 *   gets in, so the real user is never locked out by someone else's guessing.
 *
 * A good password clears its (account, address) pair. Kept in memory, bounded: the least recently
 * failed keys are forgotten first.
 */
export interface LoginThrottleConfig {
  /** Failures of one account from one address that lock the pair. */
  freeFailures: number;
  /** Failures from one address (any accounts) that lock the address. */
  freeFailuresPerAddress: number;
  /** Different failing addresses that make an account's failures a distributed attack. */
  distributedAddresses: number;
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
  distributedAddresses: 10,
  baseLockSec: 30,
  maxLockSec: 15 * 60,
  forgetAfterSec: 60 * 60,
  maxKeys: 50_000,
};

interface Entry {
  failures: number;
  lastFailureMs: number;
  lockedUntilMs: number;
  /** Account keys only: the addresses it failed from (bounded by `distributedAddresses`). */
  addresses?: Set<string>;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSec: number };

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly cfg: LoginThrottleConfig = DEFAULT_LOGIN_THROTTLE) {}

  /** May this username try from this address at `nowMs`? */
  check(username: string, address: string, nowMs: number): ThrottleDecision {
    let until = Math.max(this.lockedUntil(pairKey(username, address), nowMs), this.lockedUntil(addressKey(address), nowMs));
    // The account-wide lock binds only addresses that are failing themselves.
    if (this.fresh(addressKey(address), nowMs)) until = Math.max(until, this.lockedUntil(accountKey(username), nowMs));
    return until > nowMs ? { allowed: false, retryAfterSec: Math.ceil((until - nowMs) / 1000) } : { allowed: true };
  }

  failed(username: string, address: string, nowMs: number): void {
    this.count(pairKey(username, address), this.cfg.freeFailures, nowMs);
    this.count(addressKey(address), this.cfg.freeFailuresPerAddress, nowMs);
    this.countAccount(username, address, nowMs);
  }

  /** A good password: this pair starts again (the address and the account keep theirs, against spraying). */
  succeeded(username: string, address: string): void {
    this.entries.delete(pairKey(username, address));
  }

  get size(): number {
    return this.entries.size;
  }

  private fresh(key: string, nowMs: number): Entry | null {
    const e = this.entries.get(key);
    return e && nowMs - e.lastFailureMs < this.cfg.forgetAfterSec * 1000 ? e : null;
  }

  private lockedUntil(key: string, nowMs: number): number {
    return this.fresh(key, nowMs)?.lockedUntilMs ?? 0;
  }

  private count(key: string, free: number, nowMs: number): Entry {
    const prev = this.fresh(key, nowMs);
    const failures = (prev?.failures ?? 0) + 1;
    const entry: Entry = { failures, lastFailureMs: nowMs, lockedUntilMs: this.lockFor(failures - free + 1, nowMs), ...(prev?.addresses ? { addresses: prev.addresses } : {}) };
    // Re-inserted so the Map's order is least recently failed first (the eviction order).
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.cfg.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  /** Failures of an account count towards its lock only once they come from many addresses. */
  private countAccount(username: string, address: string, nowMs: number): void {
    const e = this.count(accountKey(username), Number.POSITIVE_INFINITY, nowMs);
    e.addresses ??= new Set();
    if (e.addresses.size < this.cfg.distributedAddresses) e.addresses.add(address);
    const over = e.addresses.size >= this.cfg.distributedAddresses ? e.failures - this.cfg.distributedAddresses + 1 : 0;
    e.lockedUntilMs = this.lockFor(over, nowMs);
  }

  /** Lock end for the `over`-th failure past the free ones (0 or less: no lock). */
  private lockFor(over: number, nowMs: number): number {
    return over > 0 ? nowMs + Math.min(this.cfg.maxLockSec, this.cfg.baseLockSec * 2 ** (over - 1)) * 1000 : 0;
  }
}

const pairKey = (username: string, address: string) => `p:${address} ${username.toLowerCase()}`;
const accountKey = (username: string) => `u:${username.toLowerCase()}`;
const addressKey = (address: string) => `a:${address}`;
