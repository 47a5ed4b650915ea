/**
 * Position sequence numbers. The server drops duplicates by (vehicle, seq) and confirms storage
 * with "everything up to seq", so a seq must never repeat for a vehicle — not even after the
 * agent restarts and forgets its counter. Starting at the wall clock in milliseconds and adding
 * 1 per message gives that for free: as long as the agent publishes fewer than 1000 positions
 * per second (it publishes about one), the counter stays behind the clock, so the next start
 * (a later Date.now()) is above every seq the previous run used. No state on disk is needed.
 * It assumes the device clock does not jump backwards across a restart (GPS units set it from
 * GPS time).
 */
export function createSeqCounter(startMs: number): { next(): number; readonly first: number; readonly last: number | null } {
  const first = Math.floor(startMs);
  let last: number | null = null;
  return {
    next: () => (last = last === null ? first : last + 1),
    get first() {
      return first;
    },
    get last() {
      return last;
    },
  };
}
