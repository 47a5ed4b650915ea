/**
 * NMEA 0183 → GpsFix. `NmeaDecoder` takes lines one at a time, groups the sentences of one
 * receiver epoch (same UTC time of day) and turns each epoch into at most one fix:
 *   RMC  date, speed, course, validity (status, FAA mode)
 *   GGA  quality, satellites, HDOP, altitude (GNS is the multi-GNSS equivalent)
 *   GSA  2D/3D fix mode (no time field: it belongs to the epoch it follows)
 *   ZDA  date, for receivers that send RMC rarely
 * An epoch is emitted when the first sentence of the next epoch arrives, or on `flush()`.
 * The rules were checked against gpsd's output for 14 real receiver logs (test/nmea-conformance.test.ts).
 */
import type { FixMode, GpsFix } from './types.ts';
import {
  parseNmeaSentence,
  type CalendarDate,
  type GgaSentence,
  type GnsSentence,
  type GsaSentence,
  type NmeaSentence,
  type RejectReason,
  type RmcSentence,
  type SentenceType,
  type ZdaSentence,
} from './nmeaSentence.ts';

export { nmeaChecksum, parseNmeaSentence } from './nmeaSentence.ts';
export type { NmeaSentence, ParseResult, RejectReason } from './nmeaSentence.ts';

const DAY_MS = 86_400_000;
const KNOTS_TO_MPS = 1852 / 3600;
/** At most this many GSA sentences wait for their epoch (one per constellation). */
const MAX_PENDING_GSA = 8;

export interface NmeaDecoderOptions {
  /**
   * Date source for epochs seen before the receiver's first RMC/ZDA date (GGA carries only the
   * time of day). The fix gets the calendar day that puts it closest to this clock, e.g. `Date.now`
   * for a live receiver on a machine with NTP. Default: none — such epochs are dropped and
   * counted in `stats.dropped.noDate`, which for a replayed log is the honest choice.
   */
  fallbackClock?: () => number;
  /**
   * Many receivers send GSA only every few epochs; an epoch without a GSA keeps the last GSA's
   * 2D/3D mode for this long. Default 5 s.
   */
  gsaHoldMs?: number;
}

export interface NmeaStats {
  lines: number;
  /** Sentences decoded, by type. */
  parsed: Record<SentenceType, number>;
  /** Good checksum but a type we do not use (GSV, VTG, GLL, TXT, proprietary …). */
  unsupported: number;
  rejected: Record<RejectReason, number>;
  epochs: number;
  fixes: number;
  dropped: {
    /** RMC status V or FAA mode N/S/M, GGA quality 0/7/8, GNS mode all N, GSA mode 1. */
    invalid: number;
    /** No sentence of the epoch carried a position. */
    noPosition: number;
    /** No date known yet (see `fallbackClock`). */
    noDate: number;
  };
  /** Sentences that arrived after their epoch had been emitted (time went back by one epoch). */
  late: number;
}

interface Epoch {
  timeOfDayMs: number;
  rmc: RmcSentence[];
  gga: GgaSentence[];
  gns: GnsSentence[];
  gsa: GsaSentence[];
  zda: ZdaSentence[];
}

export class NmeaDecoder {
  private readonly fallbackClock: (() => number) | undefined;
  private readonly gsaHoldMs: number;
  private readonly counters: NmeaStats = emptyStats();
  private current: Epoch | null = null;
  private pendingGsa: GsaSentence[] = [];
  private lastClosedTimeOfDayMs: number | null = null;
  /** Last known calendar day and the time of day seen with it, to carry the date across midnight. */
  private anchor: { dayStartMs: number; timeOfDayMs: number } | null = null;
  private lastGsa: { fixType: number; timeOfDayMs: number } | null = null;

  constructor(options: NmeaDecoderOptions = {}) {
    this.fallbackClock = options.fallbackClock;
    this.gsaHoldMs = options.gsaHoldMs ?? 5_000;
  }

  /** Feeds one line (with or without CR/LF). Returns the fixes completed by it: usually zero or one. */
  push(line: string): GpsFix[] {
    this.counters.lines++;
    const result = parseNmeaSentence(line);
    if (!result.ok) {
      if (result.reason === 'unsupported') this.counters.unsupported++;
      else this.counters.rejected[result.reason]++;
      return [];
    }
    const s = result.sentence;
    this.counters.parsed[s.type]++;
    return this.accept(s);
  }

  /** Closes the open epoch (end of file, or the line went quiet). */
  flush(): GpsFix[] {
    const epoch = this.current;
    this.current = null;
    if (!epoch) return [];
    this.lastClosedTimeOfDayMs = epoch.timeOfDayMs;
    const fix = this.finish(epoch);
    return fix ? [fix] : [];
  }

  get stats(): NmeaStats {
    return structuredClone(this.counters);
  }

  private accept(s: NmeaSentence): GpsFix[] {
    if (s.type === 'GSA') {
      if (this.current) this.current.gsa.push(s);
      else if (this.pendingGsa.length < MAX_PENDING_GSA) this.pendingGsa.push(s);
      return [];
    }
    // An RMC/GGA/GNS/ZDA with an empty time says "no fix yet" and cannot be placed in an epoch.
    if (s.timeOfDayMs === null) return [];

    let out: GpsFix[] = [];
    if (this.current && this.current.timeOfDayMs !== s.timeOfDayMs) out = this.flush();
    if (!this.current) {
      if (s.timeOfDayMs === this.lastClosedTimeOfDayMs) {
        this.counters.late++;
        return out;
      }
      this.current = { timeOfDayMs: s.timeOfDayMs, rmc: [], gga: [], gns: [], gsa: this.pendingGsa, zda: [] };
      this.pendingGsa = [];
    }
    const e = this.current;
    if (s.type === 'RMC') e.rmc.push(s);
    else if (s.type === 'GGA') e.gga.push(s);
    else if (s.type === 'GNS') e.gns.push(s);
    else e.zda.push(s);
    return out;
  }

  private finish(e: Epoch): GpsFix | null {
    const c = this.counters;
    c.epochs++;
    const invalid = isInvalid(e);
    const recordedAtMs = this.resolveTime(e, invalid);
    const gsaMode = Math.max(0, ...e.gsa.map((g) => g.fixType));
    const heldGsa = this.lastGsa;
    if (gsaMode > 0) this.lastGsa = { fixType: gsaMode, timeOfDayMs: e.timeOfDayMs };
    if (invalid) {
      c.dropped.invalid++;
      return null;
    }

    // Prefer the combined (GN) solution when a receiver also reports per-constellation ones.
    const posGga = preferGn(e.gga.filter(hasPosition));
    const posGns = preferGn(e.gns.filter(hasPosition));
    const rmc = preferGn(e.rmc);
    const primary = posGga ?? posGns;
    const position = primary ?? (rmc && hasPosition(rmc) ? rmc : undefined);
    if (!position || position.lat === null || position.lng === null) {
      c.dropped.noPosition++;
      return null;
    }
    if (recordedAtMs === null) {
      c.dropped.noDate++;
      return null;
    }

    // The receiver's GSA decides 2D/3D. A GGA altitude alone does not: receivers print a held
    // altitude in 2D (ublox-lea-4h reports one with 3 satellites, where gpsd says 3D).
    let fixMode: FixMode;
    if (gsaMode >= 2) fixMode = gsaMode === 3 ? '3d' : '2d';
    else if (heldGsa && heldGsa.fixType >= 2 && modDay(e.timeOfDayMs - heldGsa.timeOfDayMs) <= this.gsaHoldMs) {
      fixMode = heldGsa.fixType === 3 ? '3d' : '2d';
    } else fixMode = primary?.altitudeM != null ? '3d' : '2d';

    c.fixes++;
    return {
      recordedAtMs,
      lat: position.lat,
      lng: position.lng,
      speedMps: rmc?.speedKnots != null ? rmc.speedKnots * KNOTS_TO_MPS : null,
      headingDeg: rmc?.courseDeg ?? null,
      altitudeM: primary?.altitudeM ?? null,
      fixMode,
      fixQuality: posGga ? posGga.quality : posGns ? gnsQuality(posGns.modes) : null,
      satellites: satellitesUsed(e),
      hdop: primary?.hdop ?? preferGn(e.gsa)?.hdop ?? null,
    };
  }

  /**
   * Epoch time = calendar day + time of day. The day comes from the epoch's own RMC (status A)
   * or ZDA; otherwise from the last known day, moved forward when the time of day wraps past
   * midnight; otherwise from `fallbackClock`.
   */
  private resolveTime(e: Epoch, invalid: boolean): number | null {
    const tod = e.timeOfDayMs;
    // A receiver without a fix may still print its unset RTC date, so only trust dates of valid epochs.
    const date = invalid ? null : (e.rmc.find((r) => r.status === 'A' && r.date)?.date ?? e.zda.find((z) => z.date)?.date);
    let dayStartMs: number | null = null;
    if (date) dayStartMs = dayStart(date);
    else if (this.anchor) {
      dayStartMs = this.anchor.dayStartMs;
      if (tod < this.anchor.timeOfDayMs - DAY_MS / 2) dayStartMs += DAY_MS;
      else if (tod > this.anchor.timeOfDayMs + DAY_MS / 2) dayStartMs -= DAY_MS;
    } else if (this.fallbackClock) {
      const now = this.fallbackClock();
      const today = Math.floor(now / DAY_MS) * DAY_MS;
      dayStartMs = [today - DAY_MS, today, today + DAY_MS].reduce((best, d) =>
        Math.abs(d + tod - now) < Math.abs(best + tod - now) ? d : best,
      );
    }
    if (dayStartMs === null) return null;
    this.anchor = { dayStartMs, timeOfDayMs: tod };
    return dayStartMs + tod;
  }
}

/** Decodes a whole capture (e.g. a .log file's text); a convenience for replay and tests. */
export function decodeNmea(text: string, options?: NmeaDecoderOptions): { fixes: GpsFix[]; stats: NmeaStats } {
  const decoder = new NmeaDecoder(options);
  const fixes: GpsFix[] = [];
  for (const line of text.split(/\r?\n|\r/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    fixes.push(...decoder.push(line));
  }
  fixes.push(...decoder.flush());
  return { fixes, stats: decoder.stats };
}

function isInvalid(e: Epoch): boolean {
  if (e.rmc.some((r) => r.status !== 'A' || (r.faaMode !== null && 'NSM'.includes(r.faaMode)))) return true;
  // 7 = manual input, 8 = simulator (a receiver in demo mode): not a measured position.
  if (e.gga.some((g) => g.quality === 0 || g.quality === 7 || g.quality === 8)) return true;
  if (e.gns.some((g) => gnsQuality(g.modes) === null)) return true;
  return e.gsa.length > 0 && e.gsa.every((g) => g.fixType === 1);
}

/** Best GNS mode character as the GGA quality it corresponds to; null when no constellation has a fix. */
function gnsQuality(modes: string): number | null {
  for (const [mode, quality] of [['R', 4], ['F', 5], ['P', 3], ['D', 2], ['A', 1], ['E', 6]] as const) {
    if (modes.includes(mode)) return quality;
  }
  return null;
}

/**
 * Satellites used: the combined (GN) GGA/GNS count when there is one; receivers that send one
 * GGA per constellation instead (SiRFstarV: GPGGA + GLGGA) count each constellation's own
 * satellites, so those are summed; with no GGA/GNS at all, the satellites listed in GSA.
 */
function satellitesUsed(e: Epoch): number | null {
  const reports = [...e.gga, ...e.gns];
  if (reports.length === 0) {
    return e.gsa.length > 0 ? e.gsa.reduce((n, g) => n + g.satelliteIds.length, 0) : null;
  }
  const combined = reports.find((r) => r.talker === 'GN');
  if (combined) return combined.satellites;
  const byTalker = new Map<string, number | null>();
  for (const r of reports) if (!byTalker.has(r.talker)) byTalker.set(r.talker, r.satellites);
  const counts = [...byTalker.values()].filter((n): n is number => n !== null);
  return counts.length > 0 ? counts.reduce((a, b) => a + b, 0) : null;
}

function preferGn<T extends { talker: string }>(list: T[]): T | undefined {
  return list.find((s) => s.talker === 'GN') ?? list[0];
}

function hasPosition(s: { lat: number | null; lng: number | null }): boolean {
  return s.lat !== null && s.lng !== null;
}

function dayStart({ year, month, day }: CalendarDate): number {
  return Date.UTC(year, month - 1, day);
}

function modDay(ms: number): number {
  return ((ms % DAY_MS) + DAY_MS) % DAY_MS;
}

function emptyStats(): NmeaStats {
  return {
    lines: 0,
    parsed: { RMC: 0, GGA: 0, GNS: 0, GSA: 0, ZDA: 0 },
    unsupported: 0,
    rejected: { noStart: 0, tooLong: 0, noChecksum: 0, badChecksum: 0, malformed: 0 },
    epochs: 0,
    fixes: 0,
    dropped: { invalid: 0, noPosition: 0, noDate: 0 },
    late: 0,
  };
}
