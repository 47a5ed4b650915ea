import { useEffect, useState } from 'react';

/** What the console shows of GET /healthz: ok, or degraded with the server's reason codes (server/src/core/health.ts). */
export interface ServerHealth {
  status: 'ok' | 'degraded';
  reasons: string[];
}

/** How often the console asks, ms: a degraded server is shown within this. */
export const HEALTH_POLL_MS = 5000;

/**
 * Polls /healthz while `enabled` (the socket is live: when it is not, the indicator already says
 * so). A failed or odd answer is shown as nothing rather than as a guess.
 */
export function useServerHealth(enabled: boolean, everyMs = HEALTH_POLL_MS): ServerHealth | null {
  const [health, setHealth] = useState<ServerHealth | null>(null);
  useEffect(() => {
    if (!enabled) {
      setHealth(null);
      return;
    }
    let cancelled = false;
    const poll = async () => {
      try {
        const res = await fetch('/healthz', { signal: AbortSignal.timeout(4000) });
        const body = (await res.json()) as Partial<ServerHealth>;
        if (cancelled) return;
        setHealth(body.status === 'ok' || body.status === 'degraded' ? { status: body.status, reasons: Array.isArray(body.reasons) ? body.reasons.filter((r) => typeof r === 'string') : [] } : null);
      } catch {
        if (!cancelled) setHealth(null);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), everyMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [enabled, everyMs]);
  return health;
}
