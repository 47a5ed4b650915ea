import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { preloadedLibraries, storagePath } from '../src/core/storagePath.ts';
import { migrate, SQL_DIR } from '../src/adapters/store/migrate.ts';
import { CREATE_TIMESCALE, decideStoragePath, guardTimescale, prepareStorage } from '../src/adapters/store/timescale.ts';
import { EXTERNAL_PG, randomId, tcpOpen } from './helpers.ts';

const pgUrl = new URL(EXTERNAL_PG);
const noPg = !(await tcpOpen(pgUrl.hostname, Number(pgUrl.port || 5432)));

describe('TimescaleDB or plain PostgreSQL: the decision (pure)', () => {
  it.each([
    ['not installed', { available: false, sharedPreloadLibraries: 'timescaledb', created: false }, 'absent'],
    ['installed, not preloaded (CREATE EXTENSION would be FATAL)', { available: true, sharedPreloadLibraries: '', created: false }, 'not_preloaded'],
    ['installed, preloaded with others', { available: true, sharedPreloadLibraries: 'pg_stat_statements, timescaledb', created: false }, 'timescaledb'],
    ['installed, preloaded quoted', { available: true, sharedPreloadLibraries: '"timescaledb"', created: true }, 'timescaledb'],
    ['installed, a look-alike preloaded', { available: true, sharedPreloadLibraries: 'timescaledb_toolkit', created: false }, 'not_preloaded'],
  ] as const)('%s → %s', (_n, facts, expected) => {
    expect(storagePath(facts)).toBe(expected);
  });
  it('reads shared_preload_libraries as PostgreSQL lists it', () => {
    expect(preloadedLibraries(' a, "b c" ,,timescaledb ')).toEqual(['a', 'b c', 'timescaledb']);
  });
  it('asks the frozen sql/002 for the extension only on the timescaledb path', async () => {
    const sql002 = await readFile(path.join(SQL_DIR, '002_timescale.sql'), 'utf8');
    expect(sql002.split(CREATE_TIMESCALE)).toHaveLength(2);
    expect(guardTimescale(sql002, 'timescaledb')).toBe(sql002);
    const guarded = guardTimescale(sql002, 'not_preloaded');
    expect(guarded).not.toContain('CREATE EXTENSION');
    expect(guarded).toContain(`RAISE EXCEPTION 'timescaledb installed but not in shared_preload_libraries';`);
  });
});

describe.skipIf(noPg)('storage path on the machine’s PostgreSQL (no TimescaleDB here)', () => {
  const dbName = `lifeline_test_storage_${randomId()}`;
  let url = '';
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: EXTERNAL_PG });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(EXTERNAL_PG);
    u.pathname = `/${dbName}`;
    url = u.toString();
  });
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: EXTERNAL_PG });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  it('finds TimescaleDB absent, migrates on the plain path, and says so', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const c = await pool.connect();
      expect(await decideStoragePath(c)).toBe('absent');
      c.release();
      await migrate(pool, undefined, { positionRetentionDays: 30 });
      expect(await prepareStorage(pool, 30)).toEqual({ path: 'absent', hypertable: false });
      const pk = await pool.query(`SELECT 1 FROM pg_constraint WHERE conname = 'vehicle_positions_pkey'`);
      expect(pk.rowCount).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('the guarded sql/002 falls back to the plain table through its own exception handler (the not-preloaded path)', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    try {
      const sql002 = await readFile(path.join(SQL_DIR, '002_timescale.sql'), 'utf8');
      await c.query('BEGIN');
      await c.query(guardTimescale(sql002, 'not_preloaded'));
      await c.query('ROLLBACK');
      expect(notices.some((n) => /TimescaleDB not available \(timescaledb installed but not in shared_preload_libraries\); vehicle_positions stays a plain table/.test(n))).toBe(true);
    } finally {
      await c.end();
    }
  });
});
