/**
 * Storage micro-benchmark behind the position writer's design: the same batches of positions
 * (5,000 rows, 5 % of them re-sent duplicates, as at-least-once delivery produces) written to the
 * project's schema on the machine's PostgreSQL by
 *   - the server's PositionWriter as it is (one `INSERT … SELECT FROM unnest($arrays) ON CONFLICT DO NOTHING` per batch),
 *   - COPY (pg-copy-streams) into a temporary staging table, then `INSERT … SELECT … ON CONFLICT DO NOTHING`
 *     (COPY cannot skip conflicts itself), in one transaction per batch,
 *   - a multi-row `INSERT … VALUES (…), (…)` (baseline).
 * Reported: rows/s (wall), and the Node process's CPU per 1,000 rows — on the ingest path the
 * server's CPU is what runs out first.
 *
 *   pnpm --filter @lifeline/bench bench:writer [--quick] [--rows 300000]
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DEFAULT_WRITER, PositionWriter, type PositionRow } from '../../server/src/adapters/store/positionWriter.ts';
import { migrate } from '../../server/src/adapters/store/migrate.ts';
import { parseArgs, nowMs } from '../lib/args.ts';
import { createScratchDb, dropScratchDb, runId } from '../lib/pg.ts';
import { machine, report, type Row } from '../lib/report.ts';
import { ratio, rng } from '../lib/stats.ts';

const args = parseArgs();
const quick = args.quick;
const total = args.num('rows', quick ? 100_000 : 200_000);
const BATCH = 5000;
const UNITS = 2000;

function makeBatches(seed: number): PositionRow[][] {
  const r = rng(seed);
  const seqs = new Array<number>(UNITS).fill(0);
  const batches: PositionRow[][] = [];
  let t = Date.UTC(2026, 0, 1);
  let prev: PositionRow[] = [];
  for (let n = 0; n < total; n += BATCH) {
    const b: PositionRow[] = [];
    for (let i = 0; i < BATCH; i++) {
      // 5 % re-sent rows from the previous batch (a spool replay after a lost ack)
      if (prev.length && r() < 0.05) {
        b.push(prev[Math.floor(r() * prev.length)]!);
        continue;
      }
      const u = Math.floor(r() * UNITS);
      t += 1;
      b.push({
        vehicleId: `w${String(u).padStart(5, '0')}`,
        seq: ++seqs[u]!,
        recordedAtMs: t,
        receivedAtMs: t + 50,
        lat: 10.9 + r() * 0.2,
        lng: 106.6 + r() * 0.2,
        speedMps: Math.round(r() * 200) / 10,
        headingDeg: Math.floor(r() * 360),
        accuracyM: null,
      });
    }
    batches.push(b);
    prev = b;
  }
  return batches;
}

const iso = (ms: number) => new Date(ms).toISOString();
const num = (v: number | null) => (v === null ? '\\N' : String(v));

async function copyStaging(pool: pg.Pool, batch: PositionRow[]): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(
      'CREATE TEMP TABLE IF NOT EXISTS positions_stage (LIKE vehicle_positions INCLUDING DEFAULTS) ON COMMIT DELETE ROWS',
    );
    const lines: string[] = [];
    for (const p of batch) {
      lines.push(`${p.vehicleId}\t${p.seq}\t${iso(p.recordedAtMs)}\t${iso(p.receivedAtMs)}\t${p.lat}\t${p.lng}\t${num(p.speedMps)}\t${num(p.headingDeg)}\t${num(p.accuracyM)}\n`);
    }
    await pipeline(
      Readable.from([lines.join('')]),
      c.query(copyFrom('COPY positions_stage (vehicle_id, seq, recorded_at, received_at, lat, lng, speed_mps, heading_deg, accuracy_m) FROM STDIN')),
    );
    const res = await c.query('INSERT INTO vehicle_positions SELECT * FROM positions_stage ON CONFLICT DO NOTHING');
    await c.query('COMMIT');
    return res.rowCount ?? 0;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

async function multiValues(pool: pg.Pool, batch: PositionRow[]): Promise<number> {
  // 9 parameters per row; PostgreSQL allows 65,535 per statement, so split at 7,000 rows.
  const params: unknown[] = [];
  const tuples: string[] = [];
  for (const p of batch) {
    const o = params.length;
    tuples.push(`($${o + 1},$${o + 2},$${o + 3},$${o + 4},$${o + 5},$${o + 6},$${o + 7},$${o + 8},$${o + 9})`);
    params.push(p.vehicleId, p.seq, iso(p.recordedAtMs), iso(p.receivedAtMs), p.lat, p.lng, p.speedMps, p.headingDeg, p.accuracyM);
  }
  const res = await pool.query(
    `INSERT INTO vehicle_positions (vehicle_id, seq, recorded_at, received_at, lat, lng, speed_mps, heading_deg, accuracy_m) VALUES ${tuples.join(',')} ON CONFLICT DO NOTHING`,
    params,
  );
  return res.rowCount ?? 0;
}

async function main() {
  const started = Date.now();
  const batches = makeBatches(17);
  const rows: Row[] = [];
  const serverWriter = async (pool: pg.Pool, b: PositionRow[]) => {
    // The real class, one batch per flush, exactly as ingest drives it.
    const w = new PositionWriter(pool, () => undefined, console, { ...DEFAULT_WRITER, batchSize: BATCH, maxDelayMs: 0, maxQueued: 1e9 });
    for (const r of b) w.enqueue(r);
    await w.drain();
    await w.stop();
    return w.stats.written;
  };
  // One row PostgreSQL refuses (a year past 9999: 22009) in the middle of every batch: the writer
  // bisects down to it, stores the other 4,999 and dead-letters it. What no single row stopping costs.
  let poisonSeq = 0;
  const poisoned = (pool: pg.Pool, b: PositionRow[]) => {
    const poison: PositionRow = { ...b[0]!, vehicleId: 'POISON', seq: ++poisonSeq, recordedAtMs: Date.now() * 1000 };
    return serverWriter(pool, [...b.slice(0, b.length >> 1), poison, ...b.slice(b.length >> 1)]);
  };
  const strategies: [string, (pool: pg.Pool, b: PositionRow[]) => Promise<number>][] = [
    ['PositionWriter: unnest() INSERT (server today)', serverWriter],
    ['PositionWriter, one refused row per batch (bisected, dead-lettered)', poisoned],
    ['PositionWriter, 001 index instead of 002 covering index', serverWriter],
    ['COPY → temp staging → INSERT … ON CONFLICT', copyStaging],
    ['multi-row INSERT VALUES (baseline)', multiValues],
  ];
  for (const [name, write] of strategies) {
    const id = runId();
    const dbName = `lifeline_bench_writer_${id}`;
    const url = await createScratchDb(dbName);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    // An idle connection closed by the server (e.g. the scratch database dropped) must not crash the run.
    pool.on('error', () => undefined);
    try {
      await migrate(pool);
      if (name.includes('001 index')) {
        // What 002 costs writes: put back 001's plain (vehicle_id, recorded_at) index.
        await pool.query('DROP INDEX vehicle_positions_vehicle_time_idx');
        await pool.query('CREATE INDEX vehicle_positions_vehicle_time_idx ON vehicle_positions (vehicle_id, recorded_at)');
      }
      await write(pool, batches[0]!.slice(0, 100)); // warm-up: connection, plans
      await pool.query('TRUNCATE vehicle_positions, dead_letters');
      const cpu0 = process.cpuUsage();
      const t0 = nowMs();
      let written = 0;
      for (const b of batches) written += await write(pool, b);
      const wallS = (nowMs() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const inDb = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM vehicle_positions')).rows[0]!.n);
      const dead = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM dead_letters')).rows[0]!.n);
      rows.push({
        strategy: name,
        rows: total,
        'rows/s': total / wallS,
        'Node CPU ms / 1k rows': (cpu.user + cpu.system) / 1000 / (total / 1000),
        'new rows stored': inDb,
        'dead letters': dead,
        'db check': inDb === written ? 'ok' : `counted ${written}`,
      });
      console.log(`writer: ${name}: ${Math.round(total / wallS)} rows/s`);
    } finally {
      await pool.end();
      await dropScratchDb(dbName);
    }
  }
  const base = rows.find((r) => String(r.strategy).startsWith('PositionWriter: unnest'))!;
  for (const r of rows) {
    r['rows/s ratio to server'] = ratio(r['rows/s'] as number, base['rows/s'] as number);
    r['CPU ratio to server'] = ratio(r['Node CPU ms / 1k rows'] as number, base['Node CPU ms / 1k rows'] as number);
  }
  report({
    scenario: 'writer',
    title: 'Position writer: unnest() vs COPY-to-staging vs multi-row INSERT',
    quick,
    startedAt: new Date(started).toISOString(),
    durationSec: (Date.now() - started) / 1000,
    machine: machine(),
    method: [
      `${total} rows in batches of ${BATCH} (5 % duplicates re-sent from the previous batch), ${UNITS} units, one batch at a time (as the writer flushes), into a scratch database with the project's migrations.`,
      'Node CPU = this process (pg encoding, COPY text building); the database side shows in rows/s.',
      'The refused-row strategy puts one row PostgreSQL refuses (22009, a year past 9999) in the middle of every batch: the writer bisects to it and dead-letters it.',
    ],
    rows,
    columns: ['strategy', 'rows', 'rows/s', 'rows/s ratio to server', 'Node CPU ms / 1k rows', 'CPU ratio to server', 'new rows stored', 'dead letters', 'db check'],
    goals: [],
    notes: [],
  });
}

await main();
