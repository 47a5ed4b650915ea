import type { SimCall, SimPriority } from './model.ts';

/**
 * Calls from a CSV a centre exports from its own records. Header (any order, case-insensitive):
 * `received_at` (ISO 8601 with offset, or epoch ms), `lat`, `lng`, `priority` (1–4), and
 * optionally `on_scene_min`, `transport_min` (0 = treated on scene). Untrusted input: the parser
 * is total — every bad line is reported with its number, nothing throws.
 */

export interface CsvCallsOk {
  ok: true;
  /** Epoch ms of the earliest call: t = 0 of the simulation. */
  startMs: number;
  /** Sorted by time. */
  calls: SimCall[];
}

export interface CsvCallsError {
  ok: false;
  code: 'InvalidCallsCsv';
  /** At most 20, first lines first. */
  errors: { line: number; message: string }[];
}

export const MAX_CSV_CALLS = 1_000_000;
const REQUIRED = ['received_at', 'lat', 'lng', 'priority'] as const;
const MAX_ERRORS = 20;

export function parseCallsCsv(text: string): CsvCallsOk | CsvCallsError {
  if (typeof text !== 'string') return fail([{ line: 0, message: 'not text' }]);
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase().replace(/^\uFEFF/, ''));
  const col = (name: string) => header.indexOf(name);
  const missing = REQUIRED.filter((h) => col(h) < 0);
  if (missing.length) return fail([{ line: 1, message: `missing column(s): ${missing.join(', ')}` }]);
  const [cT, cLat, cLng, cP, cOn, cTr] = [col('received_at'), col('lat'), col('lng'), col('priority'), col('on_scene_min'), col('transport_min')];
  const errors: { line: number; message: string }[] = [];
  const rows: { ms: number; lat: number; lng: number; priority: SimPriority; on?: number; tr?: number }[] = [];
  for (let i = 1; i < lines.length && errors.length < MAX_ERRORS; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    if (rows.length >= MAX_CSV_CALLS) {
      errors.push({ line: i + 1, message: `more than ${MAX_CSV_CALLS} calls` });
      break;
    }
    const f = raw.split(',').map((x) => x.trim());
    const ms = parseTime(f[cT]);
    const lat = num(f[cLat]);
    const lng = num(f[cLng]);
    const priority = num(f[cP]);
    const on = cOn >= 0 && f[cOn] ? num(f[cOn]) : undefined;
    const tr = cTr >= 0 && f[cTr] ? num(f[cTr]) : undefined;
    const bad =
      ms === null ? 'received_at is not an ISO 8601 time or epoch ms'
      : lat === null || lat < -90 || lat > 90 ? 'lat must be a number in −90…90'
      : lng === null || lng < -180 || lng > 180 ? 'lng must be a number in −180…180'
      : priority === null || ![1, 2, 3, 4].includes(priority) ? 'priority must be 1, 2, 3 or 4'
      : on === null || (on !== undefined && on < 0) ? 'on_scene_min must be a number ≥ 0'
      : tr === null || (tr !== undefined && tr < 0) ? 'transport_min must be a number ≥ 0'
      : null;
    if (bad) errors.push({ line: i + 1, message: bad });
    else rows.push({ ms: ms!, lat: lat!, lng: lng!, priority: priority as SimPriority, on: on ?? undefined, tr: tr ?? undefined });
  }
  if (errors.length) return fail(errors);
  if (rows.length === 0) return fail([{ line: 2, message: 'no calls' }]);
  rows.sort((a, b) => a.ms - b.ms);
  const startMs = rows[0]!.ms;
  return {
    ok: true,
    startMs,
    calls: rows.map((r) => ({
      tSec: (r.ms - startMs) / 1000,
      lat: r.lat,
      lng: r.lng,
      priority: r.priority,
      ...(r.on !== undefined ? { onSceneSec: r.on * 60 } : {}),
      ...(r.tr !== undefined ? { transportSec: r.tr * 60 } : {}),
    })),
  };
}

const fail = (errors: CsvCallsError['errors']): CsvCallsError => ({ ok: false, code: 'InvalidCallsCsv', errors });

/** A finite number, or null (empty and non-numeric text included). */
function num(s: string | undefined): number | null {
  if (s === undefined || s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Epoch ms from digits (epoch ms) or an ISO 8601 time that states its offset; null otherwise. */
function parseTime(s: string | undefined): number | null {
  if (!s) return null;
  if (/^\d{10,15}$/.test(s)) return Number(s);
  // A local time without an offset is ambiguous across the centre's and the server's zones.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : null;
}
