import type { SimCall, SimPriority } from './model.ts';

/** One incident of the centre's history, as the store reads it (no caller data). */
export interface IncidentRow {
  receivedAtMs: number;
  lat: number;
  lng: number;
  priority: number;
  /** First time of each milestone event, epoch ms, or null. */
  onSceneAtMs: number | null;
  transportingAtMs: number | null;
  atHospitalAtMs: number | null;
  closedAtMs: number | null;
}

/**
 * Calls to replay from the incident history: received time, place and priority as they were; the
 * on-scene and transport times the crews actually took when the timeline has them (on scene →
 * transporting, transporting → at hospital; on scene → closed with no transport = treated on
 * scene). Response times are not taken from history: they are what the simulation decides.
 */
export function callsFromIncidents(rows: readonly IncidentRow[]): { startMs: number; calls: SimCall[] } {
  const sorted = [...rows].filter((r) => r.priority >= 1 && r.priority <= 4).sort((a, b) => a.receivedAtMs - b.receivedAtMs);
  const startMs = sorted[0]?.receivedAtMs ?? 0;
  const calls = sorted.map((r): SimCall => {
    const call: SimCall = { tSec: (r.receivedAtMs - startMs) / 1000, lat: r.lat, lng: r.lng, priority: r.priority as SimPriority };
    const span = (a: number | null, b: number | null) => (a !== null && b !== null && b >= a ? (b - a) / 1000 : undefined);
    const transport = span(r.transportingAtMs, r.atHospitalAtMs);
    const onScene = span(r.onSceneAtMs, r.transportingAtMs) ?? (r.transportingAtMs === null ? span(r.onSceneAtMs, r.closedAtMs) : undefined);
    if (onScene !== undefined) call.onSceneSec = onScene;
    if (transport !== undefined) call.transportSec = transport;
    else if (r.transportingAtMs === null && r.onSceneAtMs !== null && r.closedAtMs !== null) call.transportSec = 0;
    return call;
  });
  return { startMs, calls };
}
