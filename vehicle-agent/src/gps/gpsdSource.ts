/**
 * GpsSource over gpsd's JSON protocol (https://gpsd.io/gpsd_json.html): connect to gpsd
 * (default 127.0.0.1:2947), send ?WATCH={"enable":true,"json":true}; and turn each TPV report
 * into a GpsFix. gpsd owns the device, its baud rate and the receiver's binary protocols.
 *
 * Checked against gpsd 3.22 (Debian 12) in test/gps-gpsd.test.ts.
 */
import net from 'node:net';
import { FixChannel } from './fixChannel.ts';
import { LineSplitter } from './lineSplitter.ts';
import type { FixMode, GpsFix, GpsSource } from './types.ts';

/** SKY reports list every satellite and reach a few kB; anything far beyond is not gpsd. */
const MAX_REPORT_LENGTH = 256 * 1024;
const WATCH_COMMAND = '?WATCH={"enable":true,"json":true};\n';

export interface GpsdSourceOptions {
  host?: string;
  port?: number;
  /** Give up connecting after this long. Default 5 s. */
  connectTimeoutMs?: number;
  /** Fixes kept for a slow consumer before the oldest are dropped. Default 100. */
  maxBuffered?: number;
}

export interface GpsdStats {
  reports: number;
  tpv: number;
  fixes: number;
  /** TPV without a usable fix: mode < 2, no time, time-only or simulated status. */
  noFix: number;
  /** Lines that were not JSON objects with a class. */
  rejected: number;
  droppedFixes: number;
}

export interface GpsdSource extends GpsSource {
  readonly stats: GpsdStats;
  /** gpsd's VERSION report, once received. */
  readonly version: { release: string; proto_major: number; proto_minor: number } | null;
}

/** The TPV fields we read; gpsd omits a field it has no value for. */
export interface GpsdTpv {
  class: 'TPV';
  mode?: number;
  status?: number;
  time?: string;
  lat?: number;
  lon?: number;
  /** Metres/second. */
  speed?: number;
  /** Degrees true. */
  track?: number;
  /** Metres above mean sea level; gpsd ≥ 3.20 also sends altMSL, older ones only alt. */
  altMSL?: number;
  alt?: number;
}

/** gpsd's STATUS_* (gps.h) as the NMEA GGA quality they correspond to. */
const GGA_QUALITY_BY_STATUS: Record<number, number> = { 1: 1, 2: 2, 3: 4, 4: 5, 5: 6, 6: 6, 9: 3 };

/**
 * A TPV as a GpsFix, or null when it is not a position fix: mode 0/1, no time, or status
 * 7 (time only) / 8 (simulated) — the same rule as NMEA GGA quality 7/8. gpsd leaves out
 * `status` when it is 1 (plain GNSS fix).
 */
export function tpvToFix(tpv: GpsdTpv, sky: { satellites: number | null; hdop: number | null } | null): GpsFix | null {
  const mode = tpv.mode ?? 0;
  if (mode < 2 || typeof tpv.time !== 'string') return null;
  const recordedAtMs = Date.parse(tpv.time);
  if (!Number.isFinite(recordedAtMs) || !isNum(tpv.lat) || !isNum(tpv.lon)) return null;
  if (Math.abs(tpv.lat) > 90 || Math.abs(tpv.lon) > 180) return null;
  const fixQuality = GGA_QUALITY_BY_STATUS[tpv.status ?? 1];
  if (fixQuality === undefined) return null;
  const altitude = tpv.altMSL ?? tpv.alt;
  return {
    recordedAtMs,
    lat: tpv.lat,
    lng: tpv.lon,
    speedMps: isNum(tpv.speed) ? tpv.speed : null,
    headingDeg: isNum(tpv.track) ? tpv.track : null,
    altitudeM: isNum(altitude) ? altitude : null,
    fixMode: (mode === 3 ? '3d' : '2d') satisfies FixMode,
    fixQuality,
    satellites: sky?.satellites ?? null,
    hdop: sky?.hdop ?? null,
  };
}

/**
 * Connects to gpsd and streams its fixes. Satellites and HDOP come from the latest SKY report
 * (gpsd sends SKY less often than TPV). Iteration throws when the connection fails or gpsd
 * closes it — restart the source then — and ends after `stop()`.
 */
export function gpsdSource(options: GpsdSourceOptions = {}): GpsdSource {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 2947;
  const stats: GpsdStats = { reports: 0, tpv: 0, fixes: 0, noFix: 0, rejected: 0, droppedFixes: 0 };
  let version: GpsdSource['version'] = null;
  let sky: { satellites: number | null; hdop: number | null } | null = null;
  let stopped = false;
  const channel = new FixChannel<GpsFix>(options.maxBuffered ?? 100, () => void stop());

  const socket = net.connect({ host, port });
  socket.setEncoding('utf8');
  socket.setTimeout(options.connectTimeoutMs ?? 5_000, () => {
    socket.destroy(new Error(`gpsd at ${host}:${port}: no connection after ${options.connectTimeoutMs ?? 5_000} ms`));
  });
  socket.once('connect', () => {
    socket.setTimeout(0);
    socket.write(WATCH_COMMAND);
  });

  const splitter = new LineSplitter(MAX_REPORT_LENGTH, (line) => {
    let report: unknown;
    try {
      report = JSON.parse(line);
    } catch {
      report = null;
    }
    if (typeof report !== 'object' || report === null || typeof (report as { class?: unknown }).class !== 'string') {
      stats.rejected++;
      return;
    }
    stats.reports++;
    const r = report as { class: string } & Record<string, unknown>;
    if (r.class === 'VERSION') version = r as unknown as NonNullable<GpsdSource['version']>;
    else if (r.class === 'SKY') sky = skySummary(r);
    else if (r.class === 'TPV') {
      stats.tpv++;
      const fix = tpvToFix(r as unknown as GpsdTpv, sky);
      if (!fix) stats.noFix++;
      else {
        stats.fixes++;
        channel.push(fix);
      }
    }
  });
  socket.on('data', (chunk: string) => splitter.push(chunk));
  socket.on('error', (error) => {
    if (!stopped) channel.fail(error);
  });
  socket.on('close', () => {
    if (!stopped) channel.fail(new Error(`gpsd at ${host}:${port} closed the connection`));
  });

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    channel.end();
    if (socket.closed) return;
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.destroy();
    await closed;
  }

  return {
    [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
    stop,
    get stats() {
      return { ...stats, droppedFixes: channel.dropped };
    },
    get version() {
      return version;
    },
  };
}

/** Satellites used and HDOP from a SKY report; gpsd ≥ 3.20 sends uSat, older ones only the list. */
function skySummary(r: Record<string, unknown>): { satellites: number | null; hdop: number | null } {
  let satellites: number | null = isNum(r.uSat) ? r.uSat : null;
  if (satellites === null && Array.isArray(r.satellites)) {
    satellites = r.satellites.filter((s: unknown) => (s as { used?: unknown })?.used === true).length;
  }
  return { satellites, hdop: isNum(r.hdop) ? r.hdop : null };
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
