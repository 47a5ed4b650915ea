import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { lockSpoolDir } from './spoolLock.ts';
import { DEFAULT_SPOOL_LIMITS, SpoolState, type SpoolLimits, type SpoolRecord } from '../core/spool.ts';

/**
 * The spool on disk: one append-only log, `spool.log`, of the records in core/spool.ts, one per
 * line as `JSON<TAB>crc32-hex`. At start the log is replayed into a SpoolState.
 *
 * Durability (fsync policy):
 * - crew messages (status, ack), the agent memo and seq reservations are fsynced before the call
 *   returns, i.e. before anything is published: a crew action that was shown as queued survives power loss;
 * - positions and confirmations are written at once (they survive a crash or kill -9 of the agent)
 *   and fsynced every `syncIntervalMs` (default 1 s): power loss can lose at most that last second of
 *   positions, and a lost confirmation only means a duplicate the server drops.
 * A line torn by power loss (no newline, or a bad checksum at the end) is cut off at start; a bad
 * line in the middle (disk corruption) is skipped and counted. When the log is mostly dead records
 * it is rewritten from the live state (temp file, fsync, rename, fsync the directory).
 */
export interface FileSpoolOptions {
  dir: string;
  limits?: Partial<SpoolLimits>;
  /** fsync of position records, ms. Default 1000; 0 = fsync every record. */
  syncIntervalMs?: number;
  /** Compact when the log holds more than this many lines and 4× the live records. Default 20 000. */
  compactAfterLines?: number;
}

export interface SpoolLoadReport {
  records: number;
  /** A torn last line was cut off. */
  tornTail: boolean;
  /** Lines that failed their checksum or did not parse (skipped). */
  badLines: number;
}

const FILE = 'spool.log';

export function encodeRecord(r: SpoolRecord): string {
  const json = JSON.stringify(r);
  return `${json}\t${crc32(json).toString(16).padStart(8, '0')}\n`;
}

/** Parses one line (without its newline); null when torn or corrupt. */
export function decodeRecord(line: string): SpoolRecord | null {
  const tab = line.lastIndexOf('\t');
  if (tab < 0) return null;
  const json = line.slice(0, tab);
  if (line.slice(tab + 1) !== crc32(json).toString(16).padStart(8, '0')) return null;
  try {
    const r = JSON.parse(json) as SpoolRecord;
    return typeof r === 'object' && r !== null && typeof r.t === 'string' ? r : null;
  } catch {
    return null;
  }
}

/** Replays log text into a state. Pure: the file adapter and the tests share it. */
export function replayLog(text: string | Buffer, state: SpoolState): SpoolLoadReport {
  let pos = 0;
  let records = 0;
  let badLines = 0;
  let tornTail = false;
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) {
      tornTail = true; // power went off mid-write: the line never got its newline
      break;
    }
    const r = decodeRecord(buf.subarray(pos, nl).toString('utf8'));
    const next = nl + 1;
    if (r) {
      state.apply(r);
      records++;
    } else if (next >= buf.length) {
      tornTail = true; // a garbled last line is a torn write too
    } else {
      badLines++;
    }
    pos = next;
  }
  return { records, tornTail, badLines };
}

export class FileSpool {
  readonly state = new SpoolState();
  readonly limits: SpoolLimits;
  readonly load: SpoolLoadReport;
  readonly path: string;
  private fd: number;
  private lines = 0;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly syncIntervalMs: number;
  private readonly compactAfterLines: number;
  private closed = false;
  private readonly unlock: () => void;

  constructor(private readonly o: FileSpoolOptions) {
    this.limits = { ...DEFAULT_SPOOL_LIMITS, ...o.limits };
    this.syncIntervalMs = o.syncIntervalMs ?? 1000;
    this.compactAfterLines = o.compactAfterLines ?? 20_000;
    mkdirSync(o.dir, { recursive: true });
    // One agent per spool: a second one is refused before it reads or writes anything.
    this.unlock = lockSpoolDir(o.dir);
    try {
      this.path = join(o.dir, FILE);
      const text = existsSync(this.path) ? readFileSync(this.path) : Buffer.alloc(0);
      const r = replayLog(text, this.state);
      this.load = r;
      this.fd = openSync(this.path, 'a+');
      this.lines = r.records + r.badLines;
      // A torn tail or a bad line: the log is rewritten from what replayed (which also cuts the tail off).
      if (r.tornTail || r.badLines > 0 || this.lines > this.compactAfterLines) this.compact();
    } catch (err) {
      this.unlock();
      throw err;
    }
  }

  /**
   * Applies records to the state and appends them to the log. `sync`: fsync before returning
   * (crew messages, memo, seq reservations); otherwise within syncIntervalMs.
   */
  commit(records: readonly SpoolRecord[], sync: boolean): void {
    if (this.closed) throw new Error('spool is closed');
    if (records.length === 0) return;
    for (const r of records) this.state.apply(r);
    writeSync(this.fd, records.map(encodeRecord).join(''));
    this.lines += records.length;
    if (sync || this.syncIntervalMs === 0) this.sync();
    else {
      this.dirty = true;
      this.timer ??= setTimeout(() => {
        this.timer = null;
        if (!this.closed) this.sync();
      }, this.syncIntervalMs);
    }
    const live = this.state.positions.length + this.state.messages.length + 2;
    if (this.lines > this.compactAfterLines && this.lines > 4 * live) this.compact();
  }

  sync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    fsyncSync(this.fd);
    this.dirty = false;
  }

  /** Rewrites the log from the live state, atomically. */
  compact(): void {
    const tmp = `${this.path}.tmp`;
    const snapshot = this.state.snapshot();
    const fd = openSync(tmp, 'w');
    writeSync(fd, snapshot.map(encodeRecord).join(''));
    fsyncSync(fd);
    closeSync(fd);
    closeSync(this.fd);
    renameSync(tmp, this.path);
    const dirFd = openSync(this.o.dir, 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
    this.fd = openSync(this.path, 'a+');
    this.lines = snapshot.length;
    this.dirty = false;
  }

  bytes(): number {
    return fstatSync(this.fd).size;
  }

  close(): void {
    if (this.closed) return;
    if (this.dirty) this.sync();
    if (this.timer) clearTimeout(this.timer);
    this.closed = true;
    closeSync(this.fd);
    this.unlock();
  }
}
