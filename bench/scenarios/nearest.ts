/**
 * Scenario 2 — nearest available unit: the server's H3 FleetIndex against a brute-force scan, an
 * in-process kd-tree (geokdbush over kdbush, rebuilt as units move), PostGIS KNN on geography and
 * Redis GEOSEARCH: same fleet, same queries (15 nearest available within 60 km), at 1k/10k/100k.
 *
 * Keeping each index current is part of the cost: every method first absorbs position updates
 * (timed per move), then answers queries with fresh data; the kd-tree cannot be updated in place,
 * so its fresh query is rebuild + search.
 *
 *   pnpm --filter @lifeline/bench bench:nearest [--quick] [--sizes 1000,10000,100000] [--methods h3,brute,kdbush,postgis,redis]
 */
import { execSync } from 'node:child_process';
import KDBush from 'kdbush';
import { around } from 'geokdbush';
import { Redis } from 'ioredis';
import pg from 'pg';
import { FleetIndex } from '@lifeline/server';
import { H3RingIndex } from '../baselines/h3RingIndex.ts';
import { haversineM } from '../../server/src/core/geo.ts';
import { parseArgs } from '../lib/args.ts';
import { adminQuery, createScratchDb, dropScratchDb, runId } from '../lib/pg.ts';
import { machine, report, type Row } from '../lib/report.ts';
import { median, ratio, rng, summary } from '../lib/stats.ts';

const args = parseArgs();
const quick = args.quick;
const sizes = (args.get('sizes') ?? '1000,10000,100000').split(',').map(Number);
const methods = (args.get('methods') ?? 'h3,brute,kdbush,postgis,redis').split(',');
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 15;
const MAX_RADIUS_M = 60_000;
const CENTER = { lat: 10.98, lng: 106.65 };
const SPREAD_DEG = 1.0; // ≈ 110 × 110 km: Bình Dương, HCMC and around
/** Fleet moves at 1 Hz; dispatch asks 10 times a second at peak: the mix the combined cost is priced at. */
const QUERIES_PER_S = 10;
/** Measured-time budget per method and size, so a slow method cannot run away. */
const BUDGET_MS = quick ? 1500 : 4000;

interface Unit {
  id: number;
  lat: number;
  lng: number;
  available: boolean;
}

interface Method {
  name: string;
  kind: 'ours' | 'baseline';
  /** In-process methods also get a CPU-time percentile, which a busy shared machine does not inflate. */
  inProcess?: boolean;
  load(units: Unit[]): Promise<void>;
  /** Applies a batch of moves; the caller times it. */
  move(batch: Unit[]): Promise<void> | void;
  /** 15 nearest available ids, best first; includes any work needed to answer from fresh data. */
  query(lat: number, lng: number): Promise<number[]> | number[];
  close(): Promise<void>;
}

const hr = () => Number(process.hrtime.bigint()) / 1000; // µs

function makeFleet(n: number, seed: number): Unit[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, id) => ({
    id,
    lat: CENTER.lat + (r() - 0.5) * SPREAD_DEG,
    lng: CENTER.lng + (r() - 0.5) * SPREAD_DEG,
    available: r() < 0.8,
  }));
}

// ---------------------------------------------------------------- methods

/** The resolution the server's live fleet uses (services/fleet.ts). */
const SERVER_RESOLUTION = 8;

type IndexLike = Pick<FleetIndex, 'ensure' | 'move' | 'nearestAvailable'>;

function indexMethod(name: string, kind: Method['kind'], make: () => IndexLike): Method {
  let index = make();
  let t = 1;
  return {
    name,
    kind,
    inProcess: true,
    async load(units) {
      index = make();
      for (const u of units) {
        index.ensure(String(u.id), u.available ? 'available' : 'dispatched', true);
        index.move(String(u.id), { lat: u.lat, lng: u.lng, recordedAtMs: t++ });
      }
    },
    move(batch) {
      for (const u of batch) index.move(String(u.id), { lat: u.lat, lng: u.lng, recordedAtMs: t++ });
    },
    query(lat, lng) {
      return index.nearestAvailable({ lat, lng }, { limit: LIMIT, maxRadiusM: MAX_RADIUS_M }).map((c) => Number(c.id));
    },
    async close() {},
  };
}

const OURS = `FleetIndex (ours, res ${SERVER_RESOLUTION} as the server runs)`;

function bruteMethod(): Method {
  let units: Unit[] = [];
  return {
    name: 'brute force scan',
    kind: 'baseline',
    inProcess: true,
    async load(u) {
      units = u.map((x) => ({ ...x }));
    },
    move(batch) {
      for (const u of batch) {
        const x = units[u.id]!;
        x.lat = u.lat;
        x.lng = u.lng;
      }
    },
    query(lat, lng) {
      const at = { lat, lng };
      const best: { id: number; d: number }[] = [];
      for (const u of units) {
        if (!u.available) continue;
        const d = haversineM(at, u);
        if (d > MAX_RADIUS_M || (best.length === LIMIT && d >= best[LIMIT - 1]!.d)) continue;
        let i = best.length;
        while (i > 0 && best[i - 1]!.d > d) i--;
        best.splice(i, 0, { id: u.id, d });
        if (best.length > LIMIT) best.pop();
      }
      return best.map((b) => b.id);
    },
    async close() {},
  };
}

function kdbushMethod(): Method {
  let units: Unit[] = [];
  let avail: Unit[] = [];
  return {
    name: 'geokdbush kd-tree, rebuilt per query',
    kind: 'baseline',
    inProcess: true,
    async load(u) {
      units = u.map((x) => ({ ...x }));
      avail = units.filter((x) => x.available);
    },
    move(batch) {
      for (const u of batch) {
        const x = units[u.id]!;
        x.lat = u.lat;
        x.lng = u.lng;
      }
    },
    query(lat, lng) {
      // A static kd-tree: any move since the last build makes it stale, so a fresh answer rebuilds.
      const index = new KDBush(avail.length);
      for (const u of avail) index.add(u.lng, u.lat);
      index.finish();
      return around(index, lng, lat, LIMIT, MAX_RADIUS_M / 1000).map((i) => avail[i]!.id);
    },
    async close() {},
  };
}

async function ensurePostgis(): Promise<string | null> {
  const has = async () => (await adminQuery(`SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'`)).length > 0;
  if (await has()) return null;
  console.log('nearest: PostGIS missing; apt-get install -y postgresql-15-postgis-3 …');
  try {
    execSync('apt-get install -y postgresql-15-postgis-3', { stdio: 'inherit', timeout: 300_000 });
  } catch (err) {
    return `PostGIS not installable: ${(err as Error).message.split('\n')[0]}`;
  }
  return (await has()) ? null : 'PostGIS still not available after apt-get';
}

function postgisMethod(url: string): Method {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    name: 'PostGIS KNN (geography, GiST)',
    kind: 'baseline',
    async load(units) {
      await pool.query('DROP TABLE IF EXISTS units');
      await pool.query('CREATE TABLE units (id int PRIMARY KEY, available boolean NOT NULL, geog geography(Point, 4326) NOT NULL)');
      for (let i = 0; i < units.length; i += 10_000) {
        const b = units.slice(i, i + 10_000);
        await pool.query(
          `INSERT INTO units SELECT id, av, ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography FROM unnest($1::int[], $2::bool[], $3::float8[], $4::float8[]) AS t(id, av, lng, lat)`,
          [b.map((u) => u.id), b.map((u) => u.available), b.map((u) => u.lng), b.map((u) => u.lat)],
        );
      }
      await pool.query('CREATE INDEX units_geog_available ON units USING gist (geog) WHERE available');
      await pool.query('VACUUM ANALYZE units');
    },
    async move(batch) {
      await pool.query(
        `UPDATE units u SET geog = ST_SetSRID(ST_MakePoint(t.lng, t.lat), 4326)::geography FROM unnest($1::int[], $2::float8[], $3::float8[]) AS t(id, lng, lat) WHERE u.id = t.id`,
        [batch.map((u) => u.id), batch.map((u) => u.lng), batch.map((u) => u.lat)],
      );
    },
    async query(lat, lng) {
      const r = await pool.query<{ id: number }>({
        name: 'knn',
        text: `SELECT id FROM units WHERE available AND ST_DWithin(geog, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $3, false)
               ORDER BY geog <-> ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography LIMIT ${LIMIT}`,
        values: [lng, lat, MAX_RADIUS_M],
      });
      return r.rows.map((x) => x.id);
    },
    async close() {
      await pool.end();
    },
  };
}

function redisMethod(): Method {
  const redis = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const key = `lifeline-bench:nearest:${runId()}`;
  return {
    name: 'Redis GEOSEARCH',
    kind: 'baseline',
    async load(units) {
      await redis.del(key);
      const avail = units.filter((u) => u.available);
      for (let i = 0; i < avail.length; i += 5000) {
        const args: (string | number)[] = [];
        for (const u of avail.slice(i, i + 5000)) args.push(u.lng, u.lat, u.id);
        await redis.geoadd(key, ...args);
      }
    },
    async move(batch) {
      // Only available units live in the key (a status change would ZREM/GEOADD); moves of busy units are not sent.
      const args: (string | number)[] = [];
      for (const u of batch) if (u.available) args.push(u.lng, u.lat, u.id);
      if (args.length) await redis.geoadd(key, ...args);
    },
    async query(lat, lng) {
      const r = (await redis.call('GEOSEARCH', key, 'FROMLONLAT', lng, lat, 'BYRADIUS', MAX_RADIUS_M / 1000, 'km', 'ASC', 'COUNT', LIMIT)) as string[];
      return r.map(Number);
    },
    async close() {
      await redis.del(key);
      redis.disconnect();
    },
  };
}

// ---------------------------------------------------------------- harness

interface Measured {
  updateUsPerMove: number;
  query: ReturnType<typeof summary>;
  cpu: ReturnType<typeof summary> | null;
  agreement: number;
}

async function measure(m: Method, fleet: Unit[], queries: { lat: number; lng: number }[], truth: number[][], seed: number): Promise<Measured> {
  await m.load(fleet);
  const r = rng(seed);
  const moving = fleet.map((u) => ({ ...u }));
  const nextMoves = (k: number): Unit[] => {
    const out: Unit[] = [];
    for (let i = 0; i < k; i++) {
      const u = moving[Math.floor(r() * moving.length)]!;
      // ~10 m/s for one second, in a random direction
      u.lat += (r() - 0.5) * 2e-4;
      u.lng += (r() - 0.5) * 2e-4;
      out.push({ ...u });
    }
    return out;
  };
  // 1. Upkeep: absorb position updates in batches of 500 (the writer/ingest batches similarly).
  const batchSize = 500;
  const batches = Math.max(10, Math.min(40, Math.ceil(fleet.length / batchSize)));
  const perMove: number[] = [];
  await m.move(nextMoves(batchSize)); // warm-up batch, not timed
  let spent = 0;
  for (let b = 0; b < batches && spent < BUDGET_MS * 1000; b++) {
    const batch = nextMoves(batchSize);
    const t0 = hr();
    await m.move(batch);
    const dt = hr() - t0;
    spent += dt;
    perMove.push(dt / batch.length);
  }
  // 2. Correctness on the loaded fleet (before anything moved in this pass): top-1 against brute force.
  await m.load(fleet);
  let agree = 0;
  const checks = Math.min(200, queries.length);
  for (let i = 0; i < checks; i++) {
    const ids = await m.query(queries[i]!.lat, queries[i]!.lng);
    if (ids[0] === truth[i]![0]) agree++;
  }
  // 3. Fresh queries: between two queries a slice of the fleet moves (applied untimed here; priced in 1).
  const times: number[] = [];
  const cpuTimes: number[] = [];
  spent = 0;
  const between = Math.min(200, Math.ceil(fleet.length / 100));
  for (let i = checks; i < queries.length && (spent < BUDGET_MS * 1000 || times.length < 30); i++) {
    await m.move(nextMoves(between));
    const q = queries[i]!;
    const c0 = m.inProcess ? process.cpuUsage() : null;
    const t0 = hr();
    await m.query(q.lat, q.lng);
    const dt = hr() - t0;
    if (c0) {
      const c = process.cpuUsage(c0);
      cpuTimes.push(c.user + c.system);
    }
    spent += dt;
    times.push(dt);
  }
  const agreement = agree / checks;
  return { updateUsPerMove: median(perMove), query: summary(times), cpu: cpuTimes.length ? summary(cpuTimes) : null, agreement };
}

async function main() {
  const started = Date.now();
  const rows: Row[] = [];
  const notes: string[] = [];
  const measuredKind = new Map<string, Method['kind']>();
  let pgDb: { name: string; url: string } | null = null;
  if (methods.includes('postgis')) {
    const why = await ensurePostgis();
    if (why) notes.push(why);
    else {
      const name = `lifeline_bench_nearest_${runId()}`;
      const url = await createScratchDb(name);
      await new pg.Client({ connectionString: url }).connect().then(async (c) => {
        await c.query('CREATE EXTENSION IF NOT EXISTS postgis');
        await c.end();
      });
      pgDb = { name, url };
    }
  }
  let redisOk = methods.includes('redis');
  if (redisOk) {
    const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redisOk = await probe.connect().then(() => probe.ping().then(() => true), () => false);
    probe.disconnect();
    if (!redisOk) notes.push(`Redis not reachable at ${REDIS_URL}: skipped`);
  }
  for (const n of sizes) {
    const fleet = makeFleet(n, 42 + n);
    const qr = rng(7 + n);
    const queries = Array.from({ length: 5000 }, () => ({ lat: CENTER.lat + (qr() - 0.5) * SPREAD_DEG * 0.9, lng: CENTER.lng + (qr() - 0.5) * SPREAD_DEG * 0.9 }));
    const brute = bruteMethod();
    await brute.load(fleet);
    const truth = queries.map((q) => brute.query(q.lat, q.lng) as number[]);
    const list: Method[] = [];
    if (methods.includes('h3')) {
      list.push(indexMethod(OURS, 'ours', () => new FleetIndex(SERVER_RESOLUTION)));
      list.push(indexMethod('FleetIndex, res 7 (variant)', 'ours', () => new FleetIndex(7)));
      list.push(indexMethod("H3 ring index before #17 (res 7, as the server ran)", "baseline", () => new H3RingIndex(7)));
    }
    if (methods.includes('brute')) list.push(bruteMethod());
    if (methods.includes('kdbush')) list.push(kdbushMethod());
    if (pgDb) list.push(postgisMethod(pgDb.url));
    if (redisOk) list.push(redisMethod());
    const measured: { m: Method; r: Measured }[] = [];
    for (const m of list) measuredKind.set(m.name, m.kind);
    for (const m of list) {
      console.log(`nearest: ${n} units, ${m.name}…`);
      const r = await measure(m, fleet, queries, truth, 99 + n);
      measured.push({ m, r });
      await m.close();
    }
    const combined = (x: Measured) => (n * x.updateUsPerMove + QUERIES_PER_S * x.query.mean) / 1000; // ms of work per second
    const brutes = measured.find((x) => x.m.name === 'brute force scan');
    for (const { m, r } of measured) {
      rows.push({
        units: n,
        method: m.name,
        'update µs/move': r.updateUsPerMove,
        'query p50 µs': r.query.p50,
        'query p99 µs': r.query.p99,
        'p99 ratio to brute': brutes ? ratio(r.query.p99, brutes.r.query.p99) : null,
        'CPU p99 µs': r.cpu?.p99 ?? null,
        'upkeep+queries ms/s': combined(r),
        'combined ratio to brute': brutes ? ratio(combined(r), combined(brutes.r)) : null,
        'top-1 agrees': `${Math.round(r.agreement * 100)} %`,
        queries: r.query.n,
      });
    }
  }
  if (pgDb) await dropScratchDb(pgDb.name);
  const oursAt = (n: number) => rows.find((r) => r.units === n && r.method === OURS);
  const baselinesAt = (n: number) => rows.filter((r) => r.units === n && measuredKind.get(String(r.method)) === 'baseline');
  const num = (r: Row | undefined, k: string) => (r ? (r[k] as number) : NaN);
  const at10k = oursAt(10_000);
  const aheadAt = (n: number) => {
    const o = oursAt(n);
    const others = baselinesAt(n);
    return o && others.length ? others.every((b) => num(o, 'query p99 µs') < num(b, 'query p99 µs')) : null;
  };
  const combinedRatio = (n: number) => num(oursAt(n), 'combined ratio to brute');
  const agreeAll = sizes.every((n) => oursAt(n)?.['top-1 agrees'] === '100 %');
  report({
    scenario: 'nearest',
    title: 'Nearest available unit (15 nearest within 60 km), index kept current',
    quick,
    startedAt: new Date(started).toISOString(),
    durationSec: (Date.now() - started) / 1000,
    machine: machine(),
    method: [
      `Same fleet per size (uniform over ${SPREAD_DEG}°×${SPREAD_DEG}° around Thủ Dầu Một, 80 % available), same query points; truth = brute force.`,
      'update µs/move: position updates applied in batches of 500 (in-process: index.move per unit; PostGIS: one UPDATE … FROM unnest() per batch; Redis: one GEOADD per batch).',
      'query µs: one fresh answer, wall time from call to result (PostGIS/Redis include the loopback round trip); the kd-tree is static, so its fresh answer is rebuild + search.',
      `upkeep+queries ms/s: CPU-equivalent work per second to keep the whole fleet current at 1 Hz and answer ${QUERIES_PER_S} queries/s = units × update + ${QUERIES_PER_S} × mean query.`,
      'CPU p99 µs (in-process methods): process CPU time per query, which preemption on a busy shared machine does not inflate.',
      `Ours is the server's FleetIndex at resolution ${SERVER_RESOLUTION} (what services/fleet.ts builds): a lat/lng grid of squares about one H3 hexagon across, H3 ids computed only when read; res 7 is a variant with larger squares.`,
      'Baseline "H3 ring index before #17" is the previous FleetIndex, kept verbatim in bench/baselines/h3RingIndex.ts: H3 cells as buckets, one latLngToCell per move.',
      'Ratios compare with the brute-force scan of the same run.',
    ],
    rows,
    columns: ['units', 'method', 'update µs/move', 'query p50 µs', 'query p99 µs', 'p99 ratio to brute', 'CPU p99 µs', 'upkeep+queries ms/s', 'combined ratio to brute', 'top-1 agrees', 'queries'],
    goals: [
      {
        goal: 'nearest-available CPU p99 < 100 µs at 10k units (fresh index)',
        measured: at10k ? `CPU ${Math.round(num(at10k, 'CPU p99 µs'))} µs (wall ${Math.round(num(at10k, 'query p99 µs'))} µs)` : 'n/a',
        met: at10k ? num(at10k, 'CPU p99 µs') < 100 : null,
      },
      {
        goal: `upkeep (whole fleet at 1 Hz) + ${QUERIES_PER_S} q/s ≤ 1.0× brute force at 10k`,
        measured: at10k ? `${combinedRatio(10_000).toFixed(3)}×` : 'n/a',
        met: at10k ? combinedRatio(10_000) <= 1 : null,
      },
      {
        goal: `upkeep (whole fleet at 1 Hz) + ${QUERIES_PER_S} q/s ≤ 0.2× brute force at 100k`,
        measured: oursAt(100_000) ? `${combinedRatio(100_000).toFixed(3)}×` : 'n/a',
        met: oursAt(100_000) ? combinedRatio(100_000) <= 0.2 : null,
      },
      { goal: 'top-1 agreement 100 % at every size', measured: agreeAll ? 'yes' : 'no', met: sizes.some((n) => oursAt(n)) ? agreeAll : null },
      ...sizes.map((n) => ({
        goal: `query p99 ahead of every baseline at ${n} units`,
        measured: aheadAt(n) === null ? 'n/a' : aheadAt(n) ? 'yes' : 'no',
        met: aheadAt(n),
      })),
    ],
    notes,
  });
}

await main();
