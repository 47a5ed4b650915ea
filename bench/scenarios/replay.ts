/**
 * Scenario 5 — replay at scale. A generator seeds a scratch database on the machine's PostgreSQL,
 * built by the project's own migrations, with N position rows (default 50 M; --quick 1 M) by COPY,
 * then times the server's own replay and latest-position queries:
 *   - one-hour incident replay: `tracks()` (server/src/adapters/store/review.ts) for 3 units over a
 *     random hour — what GET /api/incidents/:id/replay runs;
 *   - latest position of one unit, and of the whole fleet (`loadVehicles()`, the start-up query).
 * Baselines in the same run, same data: the replay with index-only scans switched off (what the
 * plain (vehicle_id, recorded_at) index of 001 does: one heap fetch per row), and the fleet's
 * latest positions by a plain DISTINCT ON scan.
 *
 *   pnpm --filter @lifeline/bench bench:replay [--quick] [--rows 50000000] [--vehicles 1000] [--interval 2]
 *                                              [--keep] [--reuse]   (keep / reuse the seeded database)
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDb, createPool } from '../../server/src/adapters/store/db.ts';
import { migrate } from '../../server/src/adapters/store/migrate.ts';
import { tracks } from '../../server/src/adapters/store/review.ts';
import { tracksPerUnit } from '../baselines/tracksPerUnit.ts';
import { loadVehicles } from '../../server/src/adapters/store/vehicles.ts';
import { parseArgs, nowMs } from '../lib/args.ts';
import { adminQuery, createScratchDb, dbExists, dbUrl, dropScratchDb } from '../lib/pg.ts';
import { machine, report, type Row } from '../lib/report.ts';
import { ratio, rng, summary } from '../lib/stats.ts';

const args = parseArgs();
const quick = args.quick;
const totalRows = args.num('rows', quick ? 1_000_000 : 50_000_000);
const vehicles = args.num('vehicles', 1000);
const intervalS = args.num('interval', 2);
const keep = args.has('keep');
const reuse = args.has('reuse');
const STREAMS = 2;
const T0 = Date.UTC(2026, 5, 1, 0, 0, 0);
const steps = Math.ceil(totalRows / vehicles);
const spanMs = steps * intervalS * 1000;
const DB_NAME = `lifeline_bench_replay_${totalRows}`;
const vid = (v: number) => `V${String(v).padStart(5, '0')}`;

/** COPY text for time steps [from, to): every unit reports once per step, interleaved like live ingest. */
function* rowsFor(from: number, to: number): Generator<string> {
  const r = rng(from + 1);
  let buf = '';
  for (let s = from; s < to; s++) {
    const t = T0 + s * intervalS * 1000;
    const rec = new Date(t).toISOString();
    const recv = new Date(t + 300).toISOString();
    for (let v = 0; v < vehicles; v++) {
      if (s * vehicles + v >= totalRows) break;
      // A unit drives a slow loop around its home point.
      const a = (s / 900 + v) % (2 * Math.PI);
      const lat = (10.7 + (v % 40) * 0.015 + 0.01 * Math.sin(a)).toFixed(6);
      const lng = (106.4 + Math.floor(v / 40) * 0.012 + 0.01 * Math.cos(a)).toFixed(6);
      buf += `${vid(v)}\t${s}\t${rec}\t${recv}\t${lat}\t${lng}\t${(r() * 20).toFixed(1)}\t${Math.floor(r() * 360)}\t5\n`;
      if (buf.length > 1 << 20) {
        yield buf;
        buf = '';
      }
    }
  }
  if (buf) yield buf;
}

async function seed(url: string): Promise<{ seconds: number; rowsPerS: number; indexSeconds: number }> {
  const pool = createPool(url, STREAMS + 1);
  try {
    await migrate(pool);
    // Load without the indexes, then rebuild exactly the ones the migrations made (faster than
    // maintaining three b-trees row by row; the result is the same schema).
    const idx = await pool.query<{ name: string; def: string; con: string | null }>(`
      SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def, c.conname AS con
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid LEFT JOIN pg_constraint c ON c.conindid = i.oid
      WHERE x.indrelid = 'vehicle_positions'::regclass`);
    for (const i of idx.rows) {
      if (i.con) await pool.query(`ALTER TABLE vehicle_positions DROP CONSTRAINT ${i.con}`);
      else await pool.query(`DROP INDEX ${i.name}`);
    }
    await pool.query(
      `INSERT INTO vehicles (id, call_sign, online) SELECT 'V' || lpad(v::text, 5, '0'), 'V' || lpad(v::text, 5, '0'), true FROM generate_series(0, $1 - 1) v ON CONFLICT DO NOTHING`,
      [vehicles],
    );
    const t0 = nowMs();
    let last = t0;
    let done = 0;
    await Promise.all(
      Array.from({ length: STREAMS }, async (_, k) => {
        const from = Math.floor((steps * k) / STREAMS);
        const to = Math.floor((steps * (k + 1)) / STREAMS);
        const c = await pool.connect();
        try {
          const gen = rowsFor(from, to);
          const counted = Readable.from(
            (function* () {
              for (const chunk of gen) {
                done += chunk.split('\n').length - 1;
                if (nowMs() - last > 15_000) {
                  last = nowMs();
                  console.log(`replay: seeded ${(done / 1e6).toFixed(1)} M rows, ${Math.round(done / ((last - t0) / 1000))} rows/s`);
                }
                yield chunk;
              }
            })(),
          );
          await pipeline(counted, c.query(copyFrom('COPY vehicle_positions (vehicle_id, seq, recorded_at, received_at, lat, lng, speed_mps, heading_deg, accuracy_m) FROM STDIN')));
        } finally {
          c.release();
        }
      }),
    );
    const loadS = (nowMs() - t0) / 1000;
    console.log(`replay: ${totalRows} rows copied in ${loadS.toFixed(0)} s; building indexes…`);
    const ti = nowMs();
    await Promise.all(
      idx.rows.map(async (i) => {
        const c = await pool.connect();
        try {
          await c.query(`SET maintenance_work_mem = '512MB'`);
          // CREATE INDEX takes a SHARE lock, so the builds overlap; the primary key then adopts its index.
          await c.query(i.def);
          if (i.con) await c.query(`ALTER TABLE vehicle_positions ADD CONSTRAINT ${i.con} PRIMARY KEY USING INDEX ${i.name}`);
        } finally {
          c.release();
        }
      }),
    );
    // Sets the visibility map (index-only scans) and statistics, as autovacuum eventually would.
    await pool.query('VACUUM (ANALYZE) vehicle_positions');
    return { seconds: loadS, rowsPerS: totalRows / loadS, indexSeconds: (nowMs() - ti) / 1000 };
  } finally {
    await pool.end();
  }
}

async function timeIt(n: number, fn: (i: number) => Promise<unknown>): Promise<ReturnType<typeof summary> & { rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < Math.min(5, n); i++) await fn(i); // warm-up
  for (let i = 0; i < n; i++) {
    const t0 = nowMs();
    const out = await fn(i);
    times.push(nowMs() - t0);
    if (Array.isArray(out)) rows += out.length;
    else if (out && typeof out === 'object') rows += Object.values(out as Record<string, unknown[]>).reduce((s, x) => s + (Array.isArray(x) ? x.length : 0), 0);
  }
  return { ...summary(times), rows: rows / n };
}

async function main() {
  const started = Date.now();
  const notes: string[] = [];
  let seeded: Awaited<ReturnType<typeof seed>> | null = null;
  const url = dbUrl(DB_NAME);
  const existing = reuse && (await dbExists(DB_NAME));
  if (existing) {
    notes.push(`reused the seeded database ${DB_NAME}`);
  } else {
    await createScratchDb(DB_NAME);
    console.log(`replay: seeding ${totalRows} rows (${vehicles} units × ${steps} fixes every ${intervalS} s) into ${DB_NAME}…`);
    seeded = await seed(url);
  }
  const pool = createPool(url, 4);
  // Baseline connection: index-only scans off = the 001 index's plan (index range scan + one heap fetch per row).
  const basePool = createPool(`${url}?options=${encodeURIComponent('-c enable_indexonlyscan=off')}`, 2);
  const db = createDb(pool);
  const baseDb = createDb(basePool);
  const rows: Row[] = [];
  try {
    const count = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM vehicle_positions')).rows[0]!.n);
    const sizes = (await pool.query<{ rel: string; size: string }>(`
      SELECT c.relname AS rel, pg_size_pretty(pg_relation_size(c.oid)) AS size FROM pg_class c
      WHERE c.relname = 'vehicle_positions' OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'vehicle_positions'::regclass)`)).rows;
    notes.push(`${count} rows; sizes: ${sizes.map((s) => `${s.rel} ${s.size}`).join(', ')}`);
    if (seeded) notes.push(`seeding: COPY ${Math.round(seeded.rowsPerS)} rows/s (${seeded.seconds.toFixed(0)} s, ${STREAMS} streams), index rebuild + VACUUM ANALYZE ${seeded.indexSeconds.toFixed(0)} s`);
    const r = rng(99);
    const n = quick ? 60 : 200;
    const windows = Array.from({ length: n + 5 }, () => {
      const from = T0 + Math.floor(r() * Math.max(1, spanMs - 3600_000));
      const units = [vid(Math.floor(r() * vehicles)), vid(Math.floor(r() * vehicles)), vid(Math.floor(r() * vehicles))];
      return { from: new Date(from), to: new Date(from + 3600_000), units };
    });
    // Alternate ours / baseline so both see the same cache state over the run.
    const replayOurs = await timeIt(n, (i) => tracks(db, windows[i]!.units, windows[i]!.from, windows[i]!.to));
    const replayPrev = await timeIt(n, (i) => tracksPerUnit(db, windows[i]!.units, windows[i]!.from, windows[i]!.to));
    const replayBase = await timeIt(n, (i) => tracksPerUnit(baseDb, windows[i]!.units, windows[i]!.from, windows[i]!.to));
    const plan = (await pool.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT recorded_at, lat, lng, speed_mps, heading_deg FROM vehicle_positions WHERE vehicle_id = $1 AND recorded_at >= $2 AND recorded_at <= $3 ORDER BY recorded_at LIMIT 20000`, [windows[0]!.units[0], windows[0]!.from, windows[0]!.to])).rows[0]['QUERY PLAN'][0];
    const node = plan.Plan.Plans?.[0] ?? plan.Plan;
    notes.push(`replay plan: ${node['Node Type']} using ${node['Index Name']}, heap fetches ${node['Heap Fetches'] ?? 'n/a'}, buffers hit ${node['Shared Hit Blocks']} read ${node['Shared Read Blocks']}`);
    // Where the replay time goes: the database's own execution time for the same unit-hours…
    const execMs: number[] = [];
    for (let i = 0; i < Math.min(n, 60); i++) {
      for (const u of windows[i]!.units) {
        const p = (await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT recorded_at, lat, lng, speed_mps, heading_deg FROM vehicle_positions WHERE vehicle_id = $1 AND recorded_at >= $2 AND recorded_at <= $3 ORDER BY recorded_at LIMIT 20000`, [u, windows[i]!.from, windows[i]!.to])).rows[0]['QUERY PLAN'][0];
        execMs.push(p['Execution Time']);
      }
    }
    // …and a variant that asks once for the 3 units and lets PostgreSQL build the JSON (not what the server does).
    const jsonVariant = await timeIt(n, (i) =>
      pool
        .query(
          `SELECT vehicle_id, json_agg(json_build_object('t', recorded_at, 'lat', lat, 'lng', lng, 'speedMps', speed_mps, 'headingDeg', heading_deg) ORDER BY recorded_at)::text AS track
           FROM vehicle_positions WHERE vehicle_id = ANY($1) AND recorded_at >= $2 AND recorded_at <= $3 GROUP BY vehicle_id`,
          [windows[i]!.units, windows[i]!.from, windows[i]!.to],
        )
        .then((x) => x.rows.flatMap((r) => JSON.parse(r.track as string) as unknown[])),
    );
    const one = await timeIt(quick ? 200 : 500, (i) =>
      pool.query('SELECT lat, lng, recorded_at FROM vehicle_positions WHERE vehicle_id = $1 ORDER BY recorded_at DESC LIMIT 1', [vid((i * 7919) % vehicles)]).then((x) => x.rows),
    );
    const fleet = await timeIt(quick ? 10 : 30, () => loadVehicles(db));
    let naive: ReturnType<typeof summary> & { rows: number } | null = null;
    const c = await pool.connect();
    try {
      await c.query(`SET statement_timeout = '60s'`);
      naive = await timeIt(1, () => c.query('SELECT DISTINCT ON (vehicle_id) vehicle_id, lat, lng, recorded_at FROM vehicle_positions ORDER BY vehicle_id, recorded_at DESC').then((x) => x.rows)).catch(() => null);
    } finally {
      c.release();
    }
    const row = (query: string, s: (ReturnType<typeof summary> & { rows: number }) | null, base: (ReturnType<typeof summary> & { rows: number }) | null, kind: string): Row => ({
      query,
      kind,
      'rows returned': s ? Math.round(s.rows) : null,
      runs: s?.n ?? 0,
      'p50 ms': s?.p50 ?? null,
      'p95 ms': s?.p95 ?? null,
      'p95 ratio to baseline': s && base ? ratio(s.p95, base.p95) : null,
    });
    rows.push({ ...row('one-hour incident replay, 3 units (tracks())', replayOurs, replayBase, 'ours: one statement, JSON built by PostgreSQL, 002 covering index'), note: `p95 ${(ratio(replayOurs.p95, replayPrev.p95) ?? NaN).toFixed(2)}× tracks() before #17` });
    rows.push(row('one-hour incident replay, 3 units (tracks() before #17)', replayPrev, replayBase, 'baseline: one query per unit, rows decoded in Node, 002 index'));
    rows.push(row('one-hour incident replay, 3 units (tracks() before #17)', replayBase, replayBase, 'baseline: same, index scan + heap fetch per row (001 index)'));
    const exec = summary(execMs);
    rows.push({ query: 'one-hour replay, 1 unit: database execution only (EXPLAIN ANALYZE)', kind: 'diagnostic', 'rows returned': null, runs: exec.n, 'p50 ms': exec.p50, 'p95 ms': exec.p95, 'p95 ratio to baseline': null, note: 'the rest of tracks() time is round trips and decoding in Node' });
    rows.push({ ...row('one-hour incident replay, 3 units, one query, JSON built in SQL', jsonVariant, replayBase, 'variant (not in the server)'), note: 'what a one-query tracks() could do' });
    rows.push(row('latest position, one unit', one, null, 'ours'));
    rows.push(row(`latest positions, whole fleet of ${vehicles} (loadVehicles())`, fleet, naive, 'ours: one index probe per unit (LATERAL)'));
    rows.push(naive ? row(`latest positions, whole fleet of ${vehicles}`, naive, naive, 'baseline: DISTINCT ON over the table') : { query: `latest positions, whole fleet of ${vehicles}`, kind: 'baseline: DISTINCT ON over the table', 'p50 ms': null, 'p95 ms': null, runs: 0, 'rows returned': null, 'p95 ratio to baseline': null, note: '> 60 s (statement timeout)' });
    report({
      scenario: 'replay',
      title: `Replay at scale: ${(count / 1e6).toFixed(1)} M position rows`,
      quick,
      startedAt: new Date(started).toISOString(),
      durationSec: (Date.now() - started) / 1000,
      machine: machine(),
      method: [
        `Scratch database on the machine's PostgreSQL ${quick ? '' : '15 '}with the project's migrations; ${vehicles} units each reporting every ${intervalS} s (rows interleaved in time order, like live ingest), COPY in ${STREAMS} streams, indexes rebuilt after the load, then VACUUM ANALYZE.`,
        'Queries are the server\'s own functions (kysely) over a pg pool; times are wall time in this process, including row decoding. Warm cache: the data set fits in this machine\'s RAM page cache.',
        'Each replay picks 3 random units and a random hour; ours and the baseline run the same windows.',
      ],
      rows,
      columns: ['query', 'kind', 'rows returned', 'runs', 'p50 ms', 'p95 ms', 'p95 ratio to baseline', 'note'],
      goals: [
        {
          goal: 'one-hour replay p95 < 50 ms at 50M+ rows',
          measured: `p95 ${replayOurs.p95.toFixed(1)} ms at ${(count / 1e6).toFixed(1)} M rows`,
          met: count >= 50_000_000 ? replayOurs.p95 < 50 : null,
          note: count >= 50_000_000 ? undefined : 'fewer than 50 M rows in this run (quick): not judged',
        },
        {
          goal: 'one-hour replay p95 ≤ 0.5× tracks() before #17 (same run)',
          measured: `${(ratio(replayOurs.p95, replayPrev.p95) ?? NaN).toFixed(2)}×`,
          met: (ratio(replayOurs.p95, replayPrev.p95) ?? Infinity) <= 0.5,
        },
      ],
      notes,
    });
  } finally {
    await db.destroy().catch(() => undefined);
    await baseDb.destroy().catch(() => undefined);
    if (!keep) await dropScratchDb(DB_NAME);
    else console.log(`replay: kept ${DB_NAME} (drop it with: psql -c 'DROP DATABASE ${DB_NAME}')`);
  }
}

await main();
void adminQuery;
