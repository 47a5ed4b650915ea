import { describe, expect, it } from 'vitest';
import { LoginThrottle, type LoginThrottleConfig } from '../src/core/loginThrottle.ts';

const CFG: LoginThrottleConfig = { freeFailures: 3, freeFailuresPerAddress: 10, distributedAddresses: 4, baseLockSec: 30, maxLockSec: 120, forgetAfterSec: 3600, maxKeys: 100 };
const T0 = 1_000_000;
const s = (sec: number) => T0 + sec * 1000;

describe('login throttle', () => {
  it('locks an (account, address) pair after the free failures, doubling up to the cap', () => {
    const t = new LoginThrottle(CFG);
    for (let i = 0; i < 3; i++) {
      expect(t.check('alice', '10.0.0.1', s(i)).allowed).toBe(true);
      t.failed('alice', '10.0.0.1', s(i + 1));
    }
    // The 3rd failure locks for 30 s, the 4th for 60 s, then 120 s (the cap).
    expect(t.check('alice', '10.0.0.1', s(4))).toEqual({ allowed: false, retryAfterSec: 29 });
    expect(t.check('alice', '10.0.0.1', s(33)).allowed).toBe(true);
    t.failed('alice', '10.0.0.1', s(33));
    expect(t.check('ALICE', '10.0.0.1', s(34))).toEqual({ allowed: false, retryAfterSec: 59 });
    t.failed('alice', '10.0.0.1', s(100));
    t.failed('alice', '10.0.0.1', s(300));
    expect(t.check('alice', '10.0.0.1', s(300))).toEqual({ allowed: false, retryAfterSec: 120 });
  });

  it('someone guessing from one address cannot lock the account for its user elsewhere (ASVS 2.2.1)', () => {
    const t = new LoginThrottle(CFG);
    for (let i = 0; i < 9; i++) t.failed('alice', '10.6.6.6', s(i));
    expect(t.check('alice', '10.6.6.6', s(10)).allowed).toBe(false);
    expect(t.check('alice', '10.0.0.1', s(10)).allowed).toBe(true);
  });

  it('other accounts on the same address (one call centre behind NAT) are not locked by one user', () => {
    const t = new LoginThrottle(CFG);
    for (let i = 0; i < 6; i++) t.failed('alice', '10.0.0.1', s(i));
    expect(t.check('alice', '10.0.0.1', s(6)).allowed).toBe(false);
    expect(t.check('bob', '10.0.0.1', s(6)).allowed).toBe(true);
  });

  it('an address spraying many usernames is locked, and only that address', () => {
    const t = new LoginThrottle(CFG);
    for (let i = 0; i < 10; i++) t.failed(`user${i}`, '10.6.6.6', s(i));
    expect(t.check('somebody-new', '10.6.6.6', s(11)).allowed).toBe(false);
    expect(t.check('user1', '10.0.0.1', s(11)).allowed).toBe(true);
  });

  it('a distributed attack locks the account for failing addresses, never for a clean one', () => {
    const t = new LoginThrottle(CFG);
    // One failure from each of 4 addresses: no pair or address reaches its own limit.
    for (let i = 0; i < 4; i++) t.failed('alice', `10.9.0.${i}`, s(i));
    expect(t.check('alice', '10.9.0.0', s(5)).allowed).toBe(false);
    expect(t.check('alice', '10.9.0.7', s(5)).allowed).toBe(true); // a new attacker address gets one guess, then it is failing too
    t.failed('alice', '10.9.0.7', s(6));
    expect(t.check('alice', '10.9.0.7', s(7)).allowed).toBe(false);
    // The real user, from an address with no recent failures, is let in.
    expect(t.check('alice', '10.0.0.1', s(7)).allowed).toBe(true);
  });

  it('a good password clears its pair, and old failures are forgotten', () => {
    const t = new LoginThrottle(CFG);
    for (let i = 0; i < 2; i++) t.failed('alice', '10.0.0.1', s(i));
    t.succeeded('alice', '10.0.0.1');
    t.failed('alice', '10.0.0.1', s(10));
    expect(t.check('alice', '10.0.0.1', s(11)).allowed).toBe(true);
    for (let i = 0; i < 3; i++) t.failed('carol', '10.0.0.2', s(i));
    expect(t.check('carol', '10.0.0.2', s(5)).allowed).toBe(false);
    // An hour without failures: a fresh start (the lock itself expired long before).
    t.failed('carol', '10.0.0.2', s(3700));
    expect(t.check('carol', '10.0.0.2', s(3701)).allowed).toBe(true);
  });

  it('keeps at most maxKeys, forgetting the least recently failed', () => {
    const t = new LoginThrottle({ ...CFG, maxKeys: 10 });
    for (let i = 0; i < 100; i++) t.failed(`user${i}`, `10.0.${i}.1`, s(i));
    expect(t.size).toBe(10);
  });
});
