import { afterEach, describe, expect, it } from 'vitest';
import { clockOffsetMs, serverNow, setServerClockOffset } from '../src/features/serverClock.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

describe('server clock', () => {
  afterEach(() => setServerClockOffset(0));

  it('takes the middle of the request as the moment the server read its clock', () => {
    // Browser 2 min behind: the server said T0 + 120 s while the browser was between T0 and T0 + 200 ms.
    expect(clockOffsetMs(new Date(T0 + 120_100).toISOString(), T0, T0 + 200)).toBe(120_000);
    expect(clockOffsetMs(new Date(T0 - 30_000).toISOString(), T0, T0)).toBe(-30_000);
  });

  it('an unreadable server time or a clock that went backwards gives no offset', () => {
    expect(clockOffsetMs('not a time', T0, T0 + 10)).toBe(0);
    expect(clockOffsetMs(new Date(T0).toISOString(), T0 + 10, T0)).toBe(0);
  });

  it('serverNow applies the offset', () => {
    setServerClockOffset(90_000);
    const d = serverNow() - Date.now();
    expect(d).toBeGreaterThanOrEqual(89_990);
    expect(d).toBeLessThanOrEqual(90_010);
    setServerClockOffset(Number.NaN);
    expect(Math.abs(serverNow() - Date.now())).toBeLessThan(10);
  });
});
