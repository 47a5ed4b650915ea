import type pg from 'pg';
import { deadLetterArrays, insertDeadLettersSql, type DeadLetter, type DeadLetterSource } from './deadLetters.ts';
import { backoffMs, classifyPgError, InterruptibleSleep, sqlstateOf } from './pgErrors.ts';

/** What became of a row: in vehicle_positions, or in dead_letters with its reason (either way durable). */
export type RowOutcome = 'stored' | 'dead_lettered';

export interface PositionRow {
  vehicleId: string;
  seq: number;
  recordedAtMs: number;
  receivedAtMs: number;
  lat: number;
  lng: number;
  speedMps: number | null;
  headingDeg: number | null;
  accuracyM: number | null;
  /** Called once the row is committed (not on the hot path of MQTT ingest). */
  onCommitted?: (outcome: RowOutcome) => void;
  /** Called if the server stops before the row could be committed (the sender must send it again). */
  onAbandoned?: () => void;
  /**
   * The `boot` its `stored` confirmation carries (this run's stint as the vehicle's owner, see
   * core/ownership); absent: the vehicle is not told (a position that came over HTTP).
   */
  boot?: string;
  /** Set when the row goes to dead_letters instead: refused at the boundary, or by the database. */
  refused?: { source: DeadLetterSource; reason: string; payload: string; sqlstate: string | null };
}

export interface PositionWriterOptions {
  /** Flush when this many rows are waiting… */
  batchSize: number;
  /** …or this long after the first waiting row, ms. */
  maxDelayMs: number;
  /** Rows held in memory at most; above it `hasRoom()` is false and ingest waits (backpressure). */
  maxQueued: number;
  /** Backoff after a transient failure: first delay and cap, ms (jittered, doubling). */
  retryBaseMs: number;
  retryCapMs: number;
  /** A statement not answered within this is treated as failed (transient) and retried, ms. */
  statementTimeoutMs: number;
}

export const DEFAULT_WRITER: PositionWriterOptions = { batchSize: 5000, maxDelayMs: 100, maxQueued: 200_000, retryBaseMs: 100, retryCapMs: 5000, statementTimeoutMs: 15_000 };

/** At most one log line per this while the database keeps failing. */
const FAILURE_LOG_EVERY_MS = 10_000;

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

class WriterStopped extends Error {}

/** The row as JSON: what a dead letter keeps of a position the database refused. */
function rowPayload(r: PositionRow): string {
  const { vehicleId, seq, recordedAtMs, receivedAtMs, lat, lng, speedMps, headingDeg, accuracyM } = r;
  return JSON.stringify({ vehicleId, seq, recordedAtMs, receivedAtMs, lat, lng, speedMps, headingDeg, accuracyM });
}

/**
 * Writes positions to PostgreSQL in batches, off the ingest hot path: `enqueue` only pushes to an
 * array; one flush at a time inserts a batch with `unnest()` arrays (one round trip, ~100k rows/s
 * here) and `ON CONFLICT DO NOTHING`, which drops at-least-once duplicates by (vehicle, seq). The
 * conflict target is left unnamed on purpose: on plain PostgreSQL the arbiter is the primary key
 * (vehicle_id, seq); on TimescaleDB (sql/002) it is UNIQUE (vehicle_id, seq, recorded_at), since a
 * hypertable's unique indexes must contain its time column. COPY into a staging table was measured
 * (bench/scenarios/writer.ts) and not adopted: see bench/README.md.
 *
 * No single row can stop it. A batch the database refuses with a *data* error (adapters/store/
 * pgErrors.ts) is bisected until the bad rows are alone; each goes to `dead_letters` with its reason
 * and every other row is stored. Rows refused at the ingest boundary (`refused`) are written to
 * `dead_letters` by the same statement as the batch's positions. Any other failure is *transient*:
 * the same rows are retried with jittered exponential backoff, never dropped.
 *
 * After each batch `onCommitted` gets, per vehicle, its last row — stored or dead-lettered: a
 * dead letter is durable too, and a sender never told about it would re-send it forever — in
 * publish order, so everything that vehicle published up to that row's seq is handled.
 */
export class PositionWriter {
  private queue: PositionRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private roomWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly sleeper = new InterruptibleSleep();
  /** The statement in flight: a retry waits for it, so a hung database is never sent a pile of them. */
  private inFlight: Promise<unknown> | null = null;
  private lastFailureLogMs = 0;
  private failedAttempts = 0;
  readonly stats = { written: 0, duplicates: 0, batches: 0, failedBatches: 0, retries: 0, deadLettered: 0, lastLagMs: 0 };
  /** For /healthz: when the last statement failed, and whether the writer is failing now. */
  readonly health: { lastErrorAtMs: number; failingSinceMs: number | null; lastSqlstate: string | null } = { lastErrorAtMs: 0, failingSinceMs: null, lastSqlstate: null };
  /** Told of every committed batch, with the commit time (the lag histogram, adapters/metrics.ts). */
  onBatchCommitted: ((rows: readonly PositionRow[], committedAtMs: number) => void) | null = null;
  /** Told of the dead letters each statement committed (counters, /healthz). */
  onDeadLettered: ((letters: readonly DeadLetter[]) => void) | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly onCommitted: (lastByVehicle: Map<string, PositionRow>) => void,
    private readonly log: Logger,
    private readonly opts: PositionWriterOptions = DEFAULT_WRITER,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  hasRoom(): boolean {
    return this.queue.length < this.opts.maxQueued;
  }

  /** Resolves when the queue has room again (immediately if it has). */
  whenRoom(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  enqueue(row: PositionRow): void {
    if (this.stopped) {
      row.onAbandoned?.();
      return;
    }
    this.queue.push(row);
    if (this.queue.length >= this.opts.batchSize) this.kick(0);
    else this.kick(this.opts.maxDelayMs);
  }

  /** Writes everything queued now; resolves when it is committed (or the writer is stopped). */
  async drain(): Promise<void> {
    while ((this.queue.length > 0 || this.flushing) && !this.stopped) {
      if (this.flushing) await this.flushing;
      else await this.flushOnce();
    }
  }

  /**
   * Drains for at most `graceMs`, then stops whatever the database does: rows not committed by
   * then are not acknowledged (their senders re-send them; `onAbandoned` tells an HTTP caller).
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (!this.stopped) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.drain(),
        new Promise<void>((resolve) => {
          if (Number.isFinite(graceMs)) timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      this.stopped = true;
      this.sleeper.interrupt();
      // Whatever is left (the drain timed out, or rows came in as it ended) was never committed.
      if (this.queue.length > 0) {
        this.log.warn({ unwritten: this.queue.length, graceMs }, 'position writer stopped before the database took every row; they were not acknowledged and will be sent again');
        for (const r of this.queue) r.onAbandoned?.();
        this.queue = [];
      }
    }
    if (this.timer) clearTimeout(this.timer);
  }

  private kick(delayMs: number): void {
    if (this.stopped || this.flushing) return;
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushOnce();
    }, delayMs);
  }

  private flushOnce(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.queue.length === 0 || this.stopped) return Promise.resolve();
    const batch = this.queue.slice(0, this.opts.batchSize);
    this.flushing = this.write(batch)
      .then(
        () => this.committed(batch),
        (err: unknown) => {
          if (!(err instanceof WriterStopped)) this.log.error({ err }, 'position writer failed (bug); will retry');
        },
      )
      .finally(() => {
        this.flushing = null;
        if (this.queue.length > 0 && !this.stopped) this.kick(this.queue.length >= this.opts.batchSize ? 0 : this.opts.maxDelayMs);
      });
    return this.flushing;
  }

  private committed(batch: PositionRow[]): void {
    this.queue.splice(0, batch.length);
    this.releaseWaiters();
    const last = new Map<string, PositionRow>();
    for (const r of batch) {
      last.set(r.vehicleId, r);
      r.onCommitted?.(r.refused ? 'dead_lettered' : 'stored');
    }
    try {
      this.onCommitted(last);
    } catch (err) {
      this.log.error({ err }, 'position commit callback failed');
    }
    try {
      this.onBatchCommitted?.(batch.filter((r) => !r.refused), Date.now());
    } catch (err) {
      this.log.error({ err }, 'position batch observer failed');
    }
  }

  private releaseWaiters(): void {
    if (!this.hasRoom()) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Commits every row of `batch`, to vehicle_positions or dead_letters. Parts still to write are a
   * stack: a part refused for its data is replaced by its two halves (first half on top, so rows
   * keep their order), a single refused row by its dead letter; a transient failure retries the
   * same part after a backoff. Throws only `WriterStopped`.
   */
  private async write(batch: PositionRow[]): Promise<void> {
    const parts: PositionRow[][] = [batch];
    while (parts.length > 0) {
      if (this.stopped) throw new WriterStopped();
      const part = parts[parts.length - 1]!;
      try {
        await this.insert(part);
        parts.pop();
        this.succeeded();
      } catch (err) {
        if (err instanceof WriterStopped) throw err;
        this.failed(err, part.length);
        if (classifyPgError(err) === 'data') {
          parts.pop();
          if (part.length > 1) {
            const mid = part.length >> 1;
            parts.push(part.slice(mid), part.slice(0, mid));
          } else if (!part[0]!.refused) {
            const r = part[0]!;
            r.refused = { source: 'mqtt_position', reason: `database refused the row: ${(err as Error).message}`, payload: rowPayload(r), sqlstate: sqlstateOf(err) };
            parts.push([r]);
          } else {
            // A dead letter the database refuses (cannot happen: deadLetters.ts sanitises it).
            this.log.error({ sqlstate: sqlstateOf(err), vehicleId: part[0]!.vehicleId }, 'dead letter refused by the database; row dropped');
          }
          continue;
        }
        this.stats.retries++;
        await this.sleeper.sleep(backoffMs(this.failedAttempts, this.opts.retryBaseMs, this.opts.retryCapMs));
      }
    }
  }

  private succeeded(): void {
    if (this.health.failingSinceMs !== null && this.failedAttempts > 0) this.log.info({ attempts: this.failedAttempts }, 'position writes recovered');
    this.health.failingSinceMs = null;
    this.failedAttempts = 0;
  }

  /** Counts the failure; logs the first of a run and then at most one line per FAILURE_LOG_EVERY_MS. */
  private failed(err: unknown, rows: number): void {
    const now = Date.now();
    this.stats.failedBatches++;
    if (classifyPgError(err) === 'data') {
      // Bisecting: only the row found at the end is worth a line (health reports dead letters).
      if (rows === 1) this.log.warn({ sqlstate: sqlstateOf(err), reason: (err as Error).message }, 'position refused by the database; dead-lettered');
      return;
    }
    this.failedAttempts++;
    this.health.lastErrorAtMs = now;
    this.health.lastSqlstate = sqlstateOf(err);
    this.health.failingSinceMs ??= now;
    if (this.failedAttempts === 1 || now - this.lastFailureLogMs >= FAILURE_LOG_EVERY_MS) {
      this.lastFailureLogMs = now;
      this.log.warn({ err, sqlstate: this.health.lastSqlstate, rows, attempt: this.failedAttempts }, 'position batch failed; will retry with backoff');
    }
  }

  /** One statement: the part's positions, and its dead letters in the same transaction. */
  private async insert(part: PositionRow[]): Promise<void> {
    const good: PositionRow[] = [];
    const letters: DeadLetter[] = [];
    for (const r of part) {
      if (r.refused) letters.push({ ...r.refused, vehicleId: r.vehicleId });
      else good.push(r);
    }
    const n = good.length;
    const vehicle = new Array<string>(n);
    const seq = new Array<number>(n);
    const recorded = new Array<string>(n);
    const received = new Array<string>(n);
    const lat = new Array<number>(n);
    const lng = new Array<number>(n);
    const speed = new Array<number | null>(n);
    const heading = new Array<number | null>(n);
    const accuracy = new Array<number | null>(n);
    for (let i = 0; i < n; i++) {
      const r = good[i]!;
      vehicle[i] = r.vehicleId;
      seq[i] = r.seq;
      // An invalid Date would throw here, outside PostgreSQL: send something it refuses (22007) instead.
      recorded[i] = Number.isFinite(r.recordedAtMs) && Math.abs(r.recordedAtMs) <= 8.64e15 ? new Date(r.recordedAtMs).toISOString() : 'invalid';
      received[i] = new Date(r.receivedAtMs).toISOString();
      lat[i] = r.lat;
      lng[i] = r.lng;
      speed[i] = r.speedMps;
      heading[i] = r.headingDeg;
      accuracy[i] = r.accuracyM;
    }
    const text = letters.length === 0 ? INSERT_POSITIONS : `WITH dead AS (${insertDeadLettersSql(10)}) ${INSERT_POSITIONS}`;
    const values: unknown[] = [vehicle, seq, recorded, received, lat, lng, speed, heading, accuracy];
    if (letters.length > 0) values.push(...deadLetterArrays(letters));
    const res = await this.bounded(() => this.pool.query(text, values));
    const inserted = res.rowCount ?? 0;
    this.stats.written += inserted;
    this.stats.duplicates += n - inserted;
    this.stats.deadLettered += letters.length;
    this.stats.batches++;
    if (n > 0) this.stats.lastLagMs = Date.now() - good[0]!.receivedAtMs;
    if (letters.length > 0) this.onDeadLettered?.(letters);
  }

  /**
   * The statement, answered within `statementTimeoutMs` or failed as transient (a paused or
   * unreachable database). The statement itself cannot be taken back: the next attempt waits for
   * it first, so at most one is ever outstanding.
   */
  private async bounded<T>(run: () => Promise<T>): Promise<T> {
    const previous = this.inFlight;
    if (previous) {
      const settled = await this.within(previous.then(() => true, () => true));
      if (settled !== true) throw new Error('previous position write still unanswered');
    }
    const start = run();
    const mine = start.finally(() => {
      if (this.inFlight === mine) this.inFlight = null;
    });
    this.inFlight = mine;
    mine.catch(() => undefined);
    const r = await this.within(start);
    if (r === TIMED_OUT) throw Object.assign(new Error(`position write not answered within ${this.opts.statementTimeoutMs} ms`), { code: 'TIMEOUT' });
    return r as T;
  }

  private within<T>(p: Promise<T>): Promise<T | typeof TIMED_OUT> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([p, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), this.opts.statementTimeoutMs)))]).finally(() => clearTimeout(timer));
  }
}

const TIMED_OUT = Symbol('timed out');

const INSERT_POSITIONS = `INSERT INTO vehicle_positions (vehicle_id, seq, recorded_at, received_at, lat, lng, speed_mps, heading_deg, accuracy_m)
       SELECT * FROM unnest($1::text[], $2::int8[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::float8[], $7::real[], $8::real[], $9::real[])
       ON CONFLICT DO NOTHING`;
