import type { Incident } from '@lifeline/protocol';
import type { AreaReplay, IncidentReplay } from '../types.ts';
import { mergeEvents, prepareTrack, type PreparedTrack, type ReplayEvent } from './replayMath.ts';

/** Distinct, colour-blind-friendlier track colours (Okabe–Ito, without yellow on the light map). */
const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9', '#e69f00', '#000000', '#7f3c8d'];

/** A loaded replay, ready for the clock: one window, every track, every event on one timeline. */
export interface ReplayModel {
  fromMs: number;
  toMs: number;
  tracks: PreparedTrack[];
  color: Record<string, string>;
  incidents: Incident[];
  /** Per incident, its own events (for the audit). */
  eventsByIncident: Record<string, ReplayEvent[]>;
  events: ReplayEvent[];
  /** Where to start: the call (incident replay) or the window start. */
  startMs: number;
}

function build(fromIso: string, toIso: string, rawTracks: AreaReplay['tracks'], lists: AreaReplay['incidents']): ReplayModel {
  const tracks = Object.keys(rawTracks)
    .sort()
    .map((id) => prepareTrack(id, rawTracks[id]!));
  const color = Object.fromEntries(tracks.map((t, i) => [t.id, PALETTE[i % PALETTE.length]!]));
  const events = mergeEvents(lists.map((l) => ({ incidentId: l.incident.id, incidentNumber: l.incident.number, events: l.events })));
  const eventsByIncident: Record<string, ReplayEvent[]> = {};
  for (const e of events) (eventsByIncident[e.incidentId] ??= []).push(e);
  const fromMs = Date.parse(fromIso);
  return { fromMs, toMs: Date.parse(toIso), tracks, color, incidents: lists.map((l) => l.incident), events, eventsByIncident, startMs: fromMs };
}

export function fromIncidentReplay(r: IncidentReplay): ReplayModel {
  const m = build(r.window.from, r.window.to, r.tracks, [{ incident: r.incident, events: r.events }]);
  // Start at the call, not five minutes before it: the margin is there to scrub back into.
  return { ...m, startMs: Math.max(m.fromMs, Date.parse(r.incident.createdAt)) };
}

export function fromAreaReplay(r: AreaReplay): ReplayModel {
  return build(r.window.from, r.window.to, r.tracks, r.incidents);
}

/** [west, south, east, north] around every fix and incident, or null when there is nothing. */
export function modelBounds(m: ReplayModel): [number, number, number, number] | null {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const add = (lat: number, lng: number) => {
    w = Math.min(w, lng); e = Math.max(e, lng); s = Math.min(s, lat); n = Math.max(n, lat);
  };
  for (const t of m.tracks) for (let i = 0; i < t.lats.length; i++) add(t.lats[i]!, t.lngs[i]!);
  for (const i of m.incidents) add(i.location.lat, i.location.lng);
  return Number.isFinite(w) ? [w, s, e, n] : null;
}
