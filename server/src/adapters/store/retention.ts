import type pg from 'pg';
import { isHypertable } from './timescale.ts';

/** Held for a whole run, so that of several instances one deletes at a time (migrate.ts uses 7_115_1022). */
export const RETENTION_LOCK = 7_115_1023;

export interface RetentionOptions {
  /** Rows older than this (by device time, recorded_at) are deleted. */
  retentionDays: number;
  /** Rows per DELETE statement: each one is its own short transaction. */
  batchSize: number;
  /** Pause between statements, so ingest and replays get the disk; injectable for tests. */
  pause: () => Promise<void>;
  now?: () => number;
  /** Checked between statements: true ends the run early (server stopping). */
  stopRequested?: () => boolean;
}

export const DEFAULT_RETENTION: Omit<RetentionOptions, 'retentionDays'> = {
  batchSize: 10_000,
  pause: () => new Promise((r) => setTimeout(r, 200)),
};

export type RetentionRun =
  | { ran: true; deleted: number; cutoff: Date }
  /** `locked`: another instance is running it; `timescaledb`: the hypertable's retention policy applies (set to the same days, timescale.ts). */
  | { ran: false; why: 'locked' | 'timescaledb' };

/**
 * Deletes positions older than the retention, in batches, on plain PostgreSQL. Incidents and
 * their timelines are other tables and never touched.
 *
 * How: the units that have positions are listed by a skip scan of an index led by vehicle_id (one
 * probe per unit, not a table scan); then, unit by unit, each statement deletes at most
 * `batchSize` rows found through the (vehicle_id, recorded_at) index (`vehicle_id = $1 AND recorded_at < cutoff`: a
 * range scan that starts at the unit's oldest row and reads only what goes), until one deletes
 * fewer. One unit per statement on purpose: with `vehicle_id = ANY(…)` the planner chose the BRIN
 * index on recorded_at (EXPLAIN on 400k rows), which in steady state reads the whole table:
 * deleted pages are refilled by new rows while their range summary keeps the old minimum.
 * Each statement commits on its own (autocommit), so ingest never waits behind a long transaction.
 */
export async function runPositionRetention(pool: pg.Pool, o: RetentionOptions): Promise<RetentionRun> {
  const client = await pool.connect();
  try {
    if (await isHypertable(client)) return { ran: false, why: 'timescaledb' };
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RETENTION_LOCK]);
    if (!got.rows[0]!.ok) return { ran: false, why: 'locked' };
    try {
      const cutoff = new Date((o.now ?? Date.now)() - o.retentionDays * 86_400_000);
      const units = await client.query<{ vehicle_id: string }>(
        `WITH RECURSIVE v AS (
           (SELECT vehicle_id FROM vehicle_positions ORDER BY vehicle_id LIMIT 1)
           UNION ALL
           SELECT (SELECT p.vehicle_id FROM vehicle_positions p WHERE p.vehicle_id > v.vehicle_id ORDER BY p.vehicle_id LIMIT 1)
           FROM v WHERE v.vehicle_id IS NOT NULL
         )
         SELECT vehicle_id FROM v WHERE vehicle_id IS NOT NULL`,
      );
      let deleted = 0;
      let sincePause = 0;
      units: for (const { vehicle_id } of units.rows) {
        for (;;) {
          if (o.stopRequested?.()) break units;
          const r = await client.query(
            `DELETE FROM vehicle_positions WHERE ctid = ANY(ARRAY(
               SELECT ctid FROM vehicle_positions WHERE vehicle_id = $1 AND recorded_at < $2 LIMIT $3))`,
            [vehicle_id, cutoff.toISOString(), o.batchSize],
          );
          const n = r.rowCount ?? 0;
          deleted += n;
          sincePause += n;
          // A pause per batch's worth of rows, not per statement: most units have a few minutes' rows to drop.
          if (sincePause >= o.batchSize) {
            sincePause = 0;
            await o.pause();
          }
          if (n < o.batchSize) break;
        }
      }
      return { ran: true, deleted, cutoff };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
    }
  } finally {
    client.release();
  }
}

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Runs the retention once now and then every `everyMs`; one run at a time in this process. A
 * failed run is logged and tried again at the next tick. Returns a stop function that waits for a
 * run in progress.
 */
export function startPositionRetention(
  pool: pg.Pool,
  o: RetentionOptions & { everyMs: number; log: Logger; deletedRows: (n: number) => void },
): () => Promise<void> {
  let running: Promise<void> | null = null;
  let stopped = false;
  let told = false;
  let firstRun = true;
  const tick = () => {
    if (running || stopped) return;
    running = runPositionRetention(pool, { ...o, stopRequested: () => stopped })
      .then((r) => {
        if (r.ran) {
          o.deletedRows(r.deleted);
          // Every run that deleted something, and the first (so the log shows the job is on).
          if (r.deleted > 0 || firstRun) o.log.info({ deleted: r.deleted, olderThan: r.cutoff.toISOString(), retentionDays: o.retentionDays }, 'position retention: old positions deleted');
        } else if (r.why === 'timescaledb' && !told) {
          told = true;
          o.log.info({ retentionDays: o.retentionDays }, 'POSITION_RETENTION_DAYS applied by the TimescaleDB retention policy (vehicle_positions is a hypertable)');
        }
      })
      .catch((err: unknown) => o.log.warn({ err }, 'position retention run failed; will retry'))
      .finally(() => {
        firstRun = false;
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, o.everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
