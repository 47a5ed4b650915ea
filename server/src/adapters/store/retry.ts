/**
 * PostgreSQL aborts one of two transactions that deadlock (40P01) or fail serialisation (40001);
 * the aborted one changed nothing and is safe to run again. Retried a few times with a short
 * random pause, so a dispatcher never sees "deadlock detected" as a 500.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isConflict(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * i));
    }
  }
}

export function isConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
