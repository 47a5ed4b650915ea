import type pg from 'pg';
import { backoffMs, classifyPgError, InterruptibleSleep, sqlstateOf } from './pgErrors.ts';

/** Where a refused message came in. */
export type DeadLetterSource = 'mqtt_position' | 'mqtt_status' | 'mqtt_ack' | 'owntracks' | 'osmand';

export interface DeadLetter {
  source: DeadLetterSource;
  vehicleId: string | null;
  /** The message as received (text), or the refused row as JSON. */
  payload: string;
  reason: string;
  sqlstate: string | null;
}

/** Longest payload kept: no valid message comes close; a flood of large junk must not fill the disk. */
export const DEAD_LETTER_MAX_PAYLOAD = 8192;

/** PostgreSQL text cannot hold NUL (22021): a refused message must never be refused again. */
function storable(s: string, max: number): string {
  return s.replace(/\u0000/g, '\ufffd').slice(0, max);
}

/** Column arrays for `unnest()`, shared by the position writer's one-statement batch and `DeadLetters`. */
export function deadLetterArrays(letters: readonly DeadLetter[]): [string[], (string | null)[], string[], string[], (string | null)[]] {
  return [
    letters.map((l) => l.source),
    letters.map((l) => l.vehicleId),
    letters.map((l) => storable(l.payload, DEAD_LETTER_MAX_PAYLOAD)),
    letters.map((l) => storable(l.reason, 500)),
    letters.map((l) => l.sqlstate),
  ];
}

/** The INSERT … SELECT FROM unnest() of dead letters, parameters `$first`…`$first+4`. */
export const insertDeadLettersSql = (first: number) =>
  `INSERT INTO dead_letters (source, vehicle_id, payload, reason, sqlstate)
   SELECT * FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[], $${first + 4}::text[])`;

interface Logger {
  warn(obj: object, msg: string): void;
}

/**
 * Records refused messages that do not pass through the position writer (statuses, acks, OsmAnd
 * requests). `record` resolves once the row is committed — the caller acknowledges the message only
 * then — retrying transient failures with backoff until `stop()`.
 */
export class DeadLetters {
  /** When the last dead letter was committed (any path), for /healthz. */
  lastAtMs = 0;
  private stopped = false;
  private readonly sleeper = new InterruptibleSleep();

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    /** Told of every committed dead letter (counters and metrics). */
    private readonly recorded: (l: DeadLetter) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves true once committed; false if the server stopped first. */
  async record(l: DeadLetter): Promise<boolean> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.pool.query(insertDeadLettersSql(1), deadLetterArrays([l]));
        this.committed([l]);
        return true;
      } catch (err) {
        if (classifyPgError(err) === 'data') {
          // Cannot happen with the sanitising above; if it does, say so rather than loop.
          this.log.warn({ sqlstate: sqlstateOf(err), source: l.source }, 'dead letter refused by the database; dropped');
          return false;
        }
        if (attempt === 1) this.log.warn({ err, source: l.source }, 'dead letter not written yet; retrying');
        await this.sleeper.sleep(backoffMs(attempt, 100, 5000));
      }
    }
    return false;
  }

  /** Called by the position writer too, after it committed dead letters in its own statement. */
  committed(letters: readonly DeadLetter[]): void {
    if (letters.length === 0) return;
    this.lastAtMs = this.now();
    for (const l of letters) this.recorded(l);
  }

  stop(): void {
    this.stopped = true;
    this.sleeper.interrupt();
  }
}
