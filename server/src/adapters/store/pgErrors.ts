/**
 * How the position writer treats a failed statement.
 * - `data`: PostgreSQL refused a value (SQLSTATE class 22, data exception; class 23, integrity
 *   constraint violation — the (vehicle, seq) duplicate never gets here, `ON CONFLICT DO NOTHING`
 *   absorbs it). Sending the same rows again fails the same way: find the bad row and set it aside.
 * - `transient`: anything else — connection lost or refused (class 08, node socket errors), the
 *   server shutting down (57P01…57P03), a statement or lock timeout (57014, 55P03), a deadlock or
 *   serialization failure (40xxx), too many connections (53xxx), even an unexpected bug. Retrying
 *   may succeed, and dropping would lose acknowledged data, so these are retried, never dropped.
 */
export type PgErrorKind = 'data' | 'transient';

export function sqlstateOf(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

export function classifyPgError(err: unknown): PgErrorKind {
  const state = sqlstateOf(err);
  return state !== null && (state.startsWith('22') || state.startsWith('23')) ? 'data' : 'transient';
}

/** Exponential backoff with jitter for the `attempt`-th retry (1-based), ms: in [d/2, d], d = min(cap, base·2^(attempt-1)). */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const d = Math.min(capMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(d / 2 + (random() * d) / 2);
}

/** Sleeps that `interrupt()` ends at once (a stopping server must not wait out a backoff). */
export class InterruptibleSleep {
  private readonly pending = new Set<() => void>();
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending.add(done);
    });
  }
  interrupt(): void {
    for (const done of [...this.pending]) done();
  }
}
