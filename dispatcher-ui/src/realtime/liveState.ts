import type { Incident, SnapshotEvent, UnitsDeltaEvent, Vehicle } from '@lifeline/protocol';

/**
 * What the client knows of the live fleet and the open incidents, for one socket connection.
 *
 * The functions below are deterministic and free of I/O. They update the maps in place: with
 * thousands of units and several deltas a second, copying the whole fleet per message is the
 * cost we are avoiding. Each returns what changed, so the caller can tell the map.
 */
export interface LiveState {
  /** `seq` of the last snapshot or delta applied; null until this connection's snapshot arrives. */
  seq: number | null;
  units: Map<string, Vehicle>;
  incidents: Map<string, Incident>;
  /** Incident events received on this connection before its snapshot. */
  early: Incident[];
}

export function createLiveState(): LiveState {
  return { seq: null, units: new Map(), incidents: new Map(), early: [] };
}

/**
 * A (re)connection: the server will send a fresh snapshot. Until it does, unit deltas are
 * ignored (they are all included in the coming snapshot, whose `seq` was read after them) and
 * the data already shown stays on screen as stale.
 */
export function beginConnection(state: LiveState): void {
  state.seq = null;
  state.early = [];
}

/**
 * Replaces units and incidents with the snapshot's. The snapshot, not the old state, is the truth:
 * its `seq` may be lower than ours after a server restart. Incident events that arrived on this
 * connection before the snapshot are merged back by version (the snapshot's incident query may
 * have read an older copy).
 */
export function applySnapshot(state: LiveState, snap: SnapshotEvent): void {
  state.seq = snap.seq;
  state.units = new Map(snap.units.map((u) => [u.id, u]));
  state.incidents = new Map(snap.incidents.map((i) => [i.id, i]));
  for (const i of state.early) mergeIncident(state.incidents, i);
  state.early = [];
}

export type DeltaResult =
  | { applied: true; changedIds: string[] }
  | { applied: false; reason: 'before_snapshot' | 'stale' };

/** Applies a unit delta whose `seq` is above the last applied one; each unit replaces its old view. */
export function applyUnitsDelta(state: LiveState, delta: UnitsDeltaEvent): DeltaResult {
  if (state.seq === null) return { applied: false, reason: 'before_snapshot' };
  if (delta.seq <= state.seq) return { applied: false, reason: 'stale' };
  state.seq = delta.seq;
  const changedIds: string[] = [];
  for (const u of delta.units) {
    state.units.set(u.id, u);
    changedIds.push(u.id);
  }
  return { applied: true, changedIds };
}

/** Keeps the copy with the higher `version`; on a tie the one already held. Returns true when it changed. */
export function mergeIncident(incidents: Map<string, Incident>, incoming: Incident): boolean {
  const held = incidents.get(incoming.id);
  if (held && held.version >= incoming.version) return false;
  incidents.set(incoming.id, incoming);
  return true;
}

/** An `incident` event (or a REST response carrying an incident). */
export function applyIncident(state: LiveState, incoming: Incident): boolean {
  if (state.seq === null) state.early.push(incoming);
  return mergeIncident(state.incidents, incoming);
}

export const CLOSED_STATES: ReadonlySet<Incident['state']> = new Set(['closed', 'cancelled']);

/** Open incidents, most urgent first, then the longest waiting. */
export function openIncidentsByUrgency(incidents: Iterable<Incident>): Incident[] {
  const out: Incident[] = [];
  for (const i of incidents) if (!CLOSED_STATES.has(i.state)) out.push(i);
  return out.sort((a, b) => a.priority - b.priority || a.createdAt.localeCompare(b.createdAt) || a.number - b.number);
}
