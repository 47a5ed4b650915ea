/**
 * A warning that may come in floods (refused MQTT logins from a scanner): the first is logged at
 * once, the rest of each `everyMs` window as one summary line with their count and reasons. Counters
 * still count every event; this only bounds the log.
 */
export function throttledWarn(log: { warn(o: object, m: string): void }, msg: string, everyMs = 10_000): (what: string) => void {
  let windowEnds = 0;
  let suppressed = 0;
  const reasons = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    if (suppressed === 0) return;
    log.warn({ count: suppressed, reasons: Object.fromEntries(reasons), windowSec: everyMs / 1000 }, `${msg} (more, summarised)`);
    suppressed = 0;
    reasons.clear();
    windowEnds = Date.now() + everyMs;
  };
  return (what) => {
    const now = Date.now();
    if (now >= windowEnds && timer === null) {
      windowEnds = now + everyMs;
      log.warn({ what }, msg);
      return;
    }
    suppressed++;
    reasons.set(what, (reasons.get(what) ?? 0) + 1);
    timer ??= setTimeout(flush, Math.max(0, windowEnds - now)).unref();
  };
}
