import type pg from 'pg';

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
  onCommitted?: () => void;
  /**
   * The `boot` its `stored` confirmation carries (this run's stint as the vehicle's owner, see
   * core/ownership); absent: the vehicle is not told (a position that came over HTTP).
   */
  boot?: string;
}

export interface PositionWriterOptions {
  /** Flush when this many rows are waiting… */
  batchSize: number;
  /** …or this long after the first waiting row, ms. */
  maxDelayMs: number;
  /** Rows held in memory at most; above it `hasRoom()` is false and ingest waits (backpressure). */
  maxQueued: number;
}

export const DEFAULT_WRITER: PositionWriterOptions = { batchSize: 5000, maxDelayMs: 100, maxQueued: 200_000 };

interface Logger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Writes positions to PostgreSQL in batches, off the ingest hot path: `enqueue` only pushes to an
 * array; one flush at a time inserts a batch with `unnest()` arrays (one round trip, ~100k rows/s
 * here) and `ON CONFLICT DO NOTHING`, which drops at-least-once duplicates by (vehicle, seq). The
 * conflict target is left unnamed on purpose: on plain PostgreSQL the arbiter is the primary key
 * (vehicle_id, seq); on TimescaleDB (sql/002) it is UNIQUE (vehicle_id, seq, recorded_at), since a
 * hypertable's unique indexes must contain its time column. COPY into a staging table was measured
 * (bench/scenarios/writer.ts) and not adopted: see bench/README.md.
 * After each commit `onCommitted` gets, per vehicle, its last row in the batch — in publish order,
 * so everything that vehicle published up to that row's seq is stored. A failed batch is
 * kept and retried with backoff; nothing is acknowledged until it is committed.
 */
export class PositionWriter {
  private queue: PositionRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private roomWaiters: (() => void)[] = [];
  private failures = 0;
  private stopped = false;
  readonly stats = { written: 0, duplicates: 0, batches: 0, failedBatches: 0, lastLagMs: 0 };
  /** Told of every committed batch, with the commit time (the lag histogram, adapters/metrics.ts). */
  onBatchCommitted: ((rows: readonly PositionRow[], committedAtMs: number) => void) | null = null;

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
    this.queue.push(row);
    if (this.queue.length >= this.opts.batchSize) this.kick(0);
    else this.kick(this.opts.maxDelayMs);
  }

  /** Writes everything queued now; resolves when it is committed (or the writer is stopped). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      if (this.flushing) await this.flushing;
      else await this.flushOnce();
    }
  }

  async stop(): Promise<void> {
    await this.drain().catch(() => undefined);
    this.stopped = true;
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
    if (this.queue.length === 0) return Promise.resolve();
    const batch = this.queue.slice(0, this.opts.batchSize);
    this.flushing = this.write(batch)
      .then(
        () => {
          this.queue.splice(0, batch.length);
          this.failures = 0;
          this.releaseWaiters();
          const last = new Map<string, PositionRow>();
          for (const r of batch) {
            last.set(r.vehicleId, r);
            r.onCommitted?.();
          }
          try {
            this.onCommitted(last);
          } catch (err) {
            this.log.error({ err }, 'position commit callback failed');
          }
          try {
            this.onBatchCommitted?.(batch, Date.now());
          } catch (err) {
            this.log.error({ err }, 'position batch observer failed');
          }
        },
        (err: unknown) => {
          this.failures++;
          this.stats.failedBatches++;
          this.log.warn({ err, rows: batch.length, attempt: this.failures }, 'position batch failed; will retry');
        },
      )
      .finally(() => {
        this.flushing = null;
        if (this.queue.length > 0 && !this.stopped) {
          // Back off after failures (max 5 s) so a database outage does not spin.
          const delay = this.failures > 0 ? Math.min(5000, 100 * 2 ** this.failures) : this.queue.length >= this.opts.batchSize ? 0 : this.opts.maxDelayMs;
          this.kick(delay);
        }
      });
    return this.flushing;
  }

  private releaseWaiters(): void {
    if (!this.hasRoom()) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  private async write(batch: PositionRow[]): Promise<void> {
    const n = batch.length;
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
      const r = batch[i]!;
      vehicle[i] = r.vehicleId;
      seq[i] = r.seq;
      recorded[i] = new Date(r.recordedAtMs).toISOString();
      received[i] = new Date(r.receivedAtMs).toISOString();
      lat[i] = r.lat;
      lng[i] = r.lng;
      speed[i] = r.speedMps;
      heading[i] = r.headingDeg;
      accuracy[i] = r.accuracyM;
    }
    const res = await this.pool.query(
      `INSERT INTO vehicle_positions (vehicle_id, seq, recorded_at, received_at, lat, lng, speed_mps, heading_deg, accuracy_m)
       SELECT * FROM unnest($1::text[], $2::int8[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::float8[], $7::real[], $8::real[], $9::real[])
       ON CONFLICT DO NOTHING`,
      [vehicle, seq, recorded, received, lat, lng, speed, heading, accuracy],
    );
    const inserted = res.rowCount ?? 0;
    this.stats.written += inserted;
    this.stats.duplicates += n - inserted;
    this.stats.batches++;
    this.stats.lastLagMs = Date.now() - batch[0]!.receivedAtMs;
  }
}
