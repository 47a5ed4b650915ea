-- Positions that stay fast at scale: a covering replay index everywhere, and TimescaleDB when the
-- server has it (hypertable + compression + retention). Frozen once landed, like every migration.
--
-- 1. Replay index (plain PostgreSQL and TimescaleDB alike).
--    Replay reads one unit's fixes in a time window (adapters/store/review.ts `tracks`) and the
--    start-up load reads each unit's latest fix (vehicles.ts `loadVehicles`). Both use
--    (vehicle_id, recorded_at). Fixes arrive interleaved across the fleet, so one unit's rows are
--    scattered over the heap: an hour of one unit at 1 Hz touches ~3,600 heap pages. INCLUDE-ing
--    what those queries read makes them index-only scans over a few contiguous leaf pages (once
--    autovacuum has set the visibility map, which PostgreSQL ≥ 13 does for insert-only tables).
--    Same name as the index it replaces, so plans and tests that name it keep working.
--    On a large existing table this rebuild holds a write lock for its duration: build it first
--    with CREATE INDEX CONCURRENTLY under another name, or run the migration in a quiet window.
DROP INDEX IF EXISTS vehicle_positions_vehicle_time_idx;
CREATE INDEX vehicle_positions_vehicle_time_idx ON vehicle_positions (vehicle_id, recorded_at)
  INCLUDE (lat, lng, speed_mps, heading_deg);

-- 2. TimescaleDB, only when it can be enabled here (installed and in shared_preload_libraries, and
--    we may create extensions). Any failure to *enable* it leaves plain PostgreSQL, which keeps the
--    (vehicle_id, seq) primary key, the covering index above and the BRIN index on recorded_at.
--    Once enabled, a failure to *convert* aborts the migration (one transaction: nothing half-done).
--
--    Decision on uniqueness: a hypertable's unique indexes must contain its time column, so the
--    primary key (vehicle_id, seq) cannot stay. It becomes UNIQUE (vehicle_id, seq, recorded_at).
--    At-least-once delivery re-sends the *same* spooled message, with the same device time, so a
--    redelivered fix still collides and is dropped; only a device that reuses a seq with another
--    time would be stored twice (a device bug, and harmless to replay). The position writer says
--    `ON CONFLICT DO NOTHING` without naming columns, so it works with either index.
--
--    Compression: segment by vehicle_id (every replay and latest-fix query filters on it), order by
--    recorded_at DESC; chunks older than 7 days are compressed (late spool back-fill is hours, not
--    days, old; an insert into a compressed chunk still works, only slower). Retention: chunks
--    older than 400 days are dropped — a default to set to the service's legal retention period
--    (SELECT remove_retention_policy('vehicle_positions'); then add your own).
--    Chunk interval: 1 day; at 10,000 units × 1 Hz that is ~860 M rows a day, so a national fleet
--    should lower it (set_chunk_time_interval) until a chunk and its indexes fit in ~25 % of RAM.
DO $$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS timescaledb;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'TimescaleDB not available (%); vehicle_positions stays a plain table', SQLERRM;
    RETURN;
  END;

  IF EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'vehicle_positions') THEN
    RETURN;
  END IF;

  ALTER TABLE vehicle_positions DROP CONSTRAINT vehicle_positions_pkey;
  CREATE UNIQUE INDEX vehicle_positions_vehicle_seq_time_key ON vehicle_positions (vehicle_id, seq, recorded_at);

  -- migrate_data: an existing deployment already has rows (this can take long on a big table).
  -- No default time index: the BRIN index and chunk exclusion cover time-only scans.
  PERFORM create_hypertable('vehicle_positions', by_range('recorded_at', INTERVAL '1 day'),
                            create_default_indexes => false, migrate_data => true);

  ALTER TABLE vehicle_positions SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'vehicle_id',
    timescaledb.compress_orderby = 'recorded_at DESC, seq DESC'
  );
  PERFORM add_compression_policy('vehicle_positions', compress_after => INTERVAL '7 days', if_not_exists => true);
  PERFORM add_retention_policy('vehicle_positions', drop_after => INTERVAL '400 days', if_not_exists => true);
  RAISE NOTICE 'vehicle_positions is now a TimescaleDB hypertable (compression after 7 days, retention 400 days)';
END
$$;
