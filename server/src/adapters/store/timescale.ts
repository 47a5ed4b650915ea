import type pg from 'pg';
import { storagePath, type StoragePath, type TimescaleFacts } from '../../core/storagePath.ts';

/** Reads what decides the storage path, without loading the extension. */
export async function timescaleFacts(client: pg.ClientBase): Promise<TimescaleFacts> {
  const r = await client.query<{ available: boolean; created: boolean; preload: string }>(
    `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
            EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS created,
            current_setting('shared_preload_libraries') AS preload`,
  );
  const row = r.rows[0]!;
  return { available: row.available, created: row.created, sharedPreloadLibraries: row.preload };
}

export async function decideStoragePath(client: pg.ClientBase): Promise<StoragePath> {
  return storagePath(await timescaleFacts(client));
}

/** The statement of sql/002 (frozen) that loads TimescaleDB. */
export const CREATE_TIMESCALE = 'CREATE EXTENSION IF NOT EXISTS timescaledb;';

/**
 * A migration's text as it may run here. Unless the path is `timescaledb`, its `CREATE EXTENSION
 * timescaledb` becomes a RAISE, which the migration's own `EXCEPTION WHEN OTHERS` handler catches
 * (sql/002: "TimescaleDB not available … stays a plain table") — the frozen file is not edited,
 * and the FATAL of an installed-but-not-preloaded extension is never triggered.
 */
export function guardTimescale(sql: string, path: StoragePath): string {
  if (path === 'timescaledb' || !sql.includes(CREATE_TIMESCALE)) return sql;
  const why = path === 'not_preloaded' ? 'installed but not in shared_preload_libraries' : 'not installed';
  return sql.split(CREATE_TIMESCALE).join(`RAISE EXCEPTION 'timescaledb ${why}';`);
}

export async function isHypertable(client: pg.ClientBase): Promise<boolean> {
  const ext = await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
  if (ext.rowCount === 0) return false;
  const ht = await client.query(`SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'vehicle_positions'`);
  return (ht.rowCount ?? 0) > 0;
}

/**
 * Makes the hypertable's retention policy follow POSITION_RETENTION_DAYS (null: keep forever, no
 * policy) — sql/002 added a fixed 400 days. Idempotent; run in the transaction that converted the
 * table (before its job can ever run) and at every start. False when the table is not a hypertable.
 */
export async function syncTimescaleRetention(client: pg.ClientBase, retentionDays: number | null): Promise<boolean> {
  if (!(await isHypertable(client))) return false;
  await client.query(`SELECT remove_retention_policy('vehicle_positions', if_exists => true)`);
  if (retentionDays !== null) await client.query(`SELECT add_retention_policy('vehicle_positions', drop_after => make_interval(days => $1::int))`, [retentionDays]);
  return true;
}

/** Where positions are kept, as found after migrations (and logged at start). */
export interface StorageReport {
  path: StoragePath;
  hypertable: boolean;
}

/**
 * Runs after the migrations at every start: keeps a hypertable's retention equal to
 * POSITION_RETENTION_DAYS (the operator may have changed it) and says which path was taken.
 */
export async function prepareStorage(pool: pg.Pool, retentionDays: number | null): Promise<StorageReport> {
  const client = await pool.connect();
  try {
    const path = await decideStoragePath(client);
    // Only touch the extension's functions when it may be loaded here.
    const hypertable = path === 'timescaledb' ? await syncTimescaleRetention(client, retentionDays) : false;
    return { path, hypertable };
  } finally {
    client.release();
  }
}
