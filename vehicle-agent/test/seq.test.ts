import { describe, expect, it } from 'vitest';
import { createSeqCounter } from '../src/core/seq.ts';

describe('createSeqCounter', () => {
  it('starts at the clock in ms and adds 1 per message', () => {
    const c = createSeqCounter(1_700_000_000_123.7);
    expect(c.last).toBeNull();
    expect([c.next(), c.next(), c.next()]).toEqual([1_700_000_000_123, 1_700_000_000_124, 1_700_000_000_125]);
    expect(c.first).toBe(1_700_000_000_123);
    expect(c.last).toBe(1_700_000_000_125);
  });

  it('never repeats across a restart while publishing under 1000 msg/s', () => {
    // Run 1 publishes 999 messages per second for an hour, then restarts at once.
    const t0 = 1_700_000_000_000;
    const run1 = createSeqCounter(t0);
    let last = 0;
    for (let i = 0; i < 999 * 3600; i++) last = run1.next();
    const restartAt = t0 + 3600 * 1000; // the clock moved on by the hour it ran
    expect(createSeqCounter(restartAt).next()).toBeGreaterThan(last);
  });
});
