import type { OsmAndJson, OsmAndParams, OwnTracksLocation } from '@lifeline/protocol';

/** A position from a phone app, in our units: ms, m/s, degrees, metres. */
export interface PhoneFix {
  recordedAtMs: number;
  lat: number;
  lng: number;
  speedMps: number | null;
  headingDeg: number | null;
  accuracyM: number | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const KNOT_MPS = 1852 / 3600;

/** OwnTracks location → fix: `tst` seconds, `vel` km/h; a negative value (the app's −1) is unknown. */
export function fromOwnTracks(o: OwnTracksLocation): PhoneFix {
  const known = (v: number | undefined) => (v === undefined || v < 0 ? null : v);
  const vel = known(o.vel);
  return {
    recordedAtMs: o.tst * 1000,
    lat: o.lat,
    lng: o.lon,
    speedMps: vel === null ? null : vel / 3.6,
    headingDeg: known(o.cog),
    accuracyM: known(o.acc),
  };
}

function num(s: string | undefined): number | null | 'bad' {
  if (s === undefined || s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : 'bad';
}

/** Epoch seconds, epoch milliseconds, or an ISO 8601 date-time. */
export function parseTimestamp(s: string | undefined, nowMs: number): number | null {
  if (s === undefined || s.trim() === '') return nowMs;
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    // Seconds until the year 33658; anything larger is milliseconds.
    return n < 1e12 ? Math.round(n * 1000) : Math.round(n);
  }
  const t = Date.parse(s);
  return Number.isFinite(t) && /\d{4}-\d{2}-\d{2}/.test(s) ? t : null;
}

/** OsmAnd query/form parameters → device id and fix. */
export function fromOsmAndParams(p: OsmAndParams, nowMs: number): Parsed<{ deviceKey: string; fix: PhoneFix }> {
  const deviceKey = p.id ?? p.deviceid;
  if (!deviceKey) return { ok: false, error: 'id (or deviceid) is required' };
  if (p.valid === 'false' || p.valid === '0') return { ok: false, error: 'the device marked this fix invalid' };
  const lat = num(p.lat);
  const lng = num(p.lon);
  if (typeof lat !== 'number' || lat < -90 || lat > 90) return { ok: false, error: 'lat must be a number between -90 and 90' };
  if (typeof lng !== 'number' || lng < -180 || lng > 180) return { ok: false, error: 'lon must be a number between -180 and 180' };
  const recordedAtMs = parseTimestamp(p.timestamp, nowMs);
  if (recordedAtMs === null) return { ok: false, error: 'timestamp must be epoch seconds, epoch milliseconds or ISO 8601' };
  const speed = num(p.speed);
  const heading = num(p.bearing ?? p.heading);
  const accuracy = num(p.accuracy);
  if (speed === 'bad' || heading === 'bad' || accuracy === 'bad') return { ok: false, error: 'speed, bearing and accuracy must be numbers' };
  if (heading !== null && (heading < 0 || heading > 360)) return { ok: false, error: 'bearing must be between 0 and 360' };
  return {
    ok: true,
    value: {
      deviceKey,
      fix: {
        recordedAtMs,
        lat,
        lng,
        speedMps: speed === null || speed < 0 ? null : speed * KNOT_MPS,
        headingDeg: heading,
        accuracyM: accuracy === null || accuracy < 0 ? null : accuracy,
      },
    },
  };
}

/** Traccar Client 9+ JSON → device id and fix (speed already m/s, -1 unknown). */
export function fromOsmAndJson(j: OsmAndJson): Parsed<{ deviceKey: string; fix: PhoneFix }> {
  const t = Date.parse(j.location.timestamp);
  if (!Number.isFinite(t)) return { ok: false, error: 'location.timestamp must be ISO 8601' };
  const c = j.location.coords;
  return {
    ok: true,
    value: {
      deviceKey: j.device_id,
      fix: {
        recordedAtMs: t,
        lat: c.latitude,
        lng: c.longitude,
        speedMps: c.speed === undefined || c.speed < 0 ? null : c.speed,
        headingDeg: c.heading === undefined || c.heading < 0 || c.heading > 360 ? null : c.heading,
        accuracyM: c.accuracy === undefined || c.accuracy < 0 ? null : c.accuracy,
      },
    },
  };
}
