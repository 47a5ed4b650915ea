import type pg from 'pg';

/**
 * "Does the database answer?", within `timeoutMs` whatever it does (a paused PostgreSQL accepts
 * the TCP connection and then never replies). One probe at a time: while one is unanswered, the
 * next callers get `false` at once instead of piling more queries on a stalled server.
 */
export class DbProbe {
  private pending: Promise<unknown> | null = null;
  /** The last answer (true before the first probe: the migrations just ran). */
  lastUp = true;

  constructor(
    private readonly pool: pg.Pool,
    private readonly timeoutMs = 1500,
  ) {}

  async up(): Promise<boolean> {
    if (this.pending) return (this.lastUp = false);
    const q = this.pool.query('SELECT 1').finally(() => {
      if (this.pending === q) this.pending = null;
    });
    this.pending = q;
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      q.then(() => true, () => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.timeoutMs))),
    ]);
    clearTimeout(timer);
    this.lastUp = answered;
    return answered;
  }
}
