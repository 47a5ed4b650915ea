/**
 * The server's clock, as seen from the browser. Timers (waiting time, time in status, stale
 * units) compare server timestamps with "now"; a dispatch desk whose PC clock is off by two
 * minutes must not show every call as two minutes late. The offset is estimated once from
 * `/api/config`'s `serverTime`, taking the middle of the request as the moment it was read.
 */
let offsetMs = 0;

/** Estimated server time minus browser time, ms, from a response sent between `sentAtMs` and `receivedAtMs` (browser clock). */
export function clockOffsetMs(serverTimeIso: string, sentAtMs: number, receivedAtMs: number): number {
  const server = Date.parse(serverTimeIso);
  if (!Number.isFinite(server) || receivedAtMs < sentAtMs) return 0;
  return Math.round(server - (sentAtMs + receivedAtMs) / 2);
}

export function setServerClockOffset(ms: number): void {
  offsetMs = Number.isFinite(ms) ? ms : 0;
}

/** Now, in server time (epoch ms). */
export function serverNow(): number {
  return Date.now() + offsetMs;
}
