import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { decideStoragePath, guardTimescale, syncTimescaleRetention } from './timescale.ts';

export const SQL_DIR = fileURLToPath(new URL('../../../../sql/', import.meta.url));

/** Arbitrary constant: serialises migrations when several server instances start together. */
const MIGRATION_LOCK = 7_115_1022;

export interface MigrateOptions {
  /** POSITION_RETENTION_DAYS: a hypertable created now gets this retention (null: none), never sql/002's 400 days. */
  positionRetentionDays?: number | null;
}

/**
 * Applies the numbered plain-SQL files in `sql/` that are not yet recorded in
 * `schema_migrations`, each in its own transaction, in name order. Safe to run twice and from
 * several instances at once. Returns the names applied now.
 *
 * TimescaleDB is looked at first (adapters/store/timescale.ts): a migration only asks for it when
 * it is installed *and* preloaded, and a hypertable it creates gets the operator's retention in
 * the same transaction, so no other policy can ever run.
 */
export async function migrate(pool: pg.Pool, dir = SQL_DIR, o: MigrateOptions = {}): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const pending = files.filter((f) => !done.has(f));
    const storage = pending.length > 0 ? await decideStoragePath(client) : 'absent';
    for (const file of pending) {
      const text = guardTimescale(await readFile(new URL(file, `file://${dir.endsWith('/') ? dir : dir + '/'}`), 'utf8'), storage);
      try {
        await client.query('BEGIN');
        await client.query(text);
        if (storage === 'timescaledb') await syncTimescaleRetention(client, o.positionRetentionDays ?? null);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
}
