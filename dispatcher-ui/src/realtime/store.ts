import type { AlertEvent, Incident, SnapshotEvent, TimelineAppendedEvent, UnitsDeltaEvent, Vehicle } from '@lifeline/protocol';
import {
  applyIncident,
  applySnapshot,
  applyUnitsDelta,
  beginConnection,
  createLiveState,
  openIncidentsByUrgency,
  type LiveState,
} from './liveState.ts';

/**
 * - `connecting`: no data yet (first connection under way);
 * - `live`: connected, snapshot applied, deltas flowing;
 * - `resyncing`: reconnected, waiting for the fresh snapshot (data on screen may be stale);
 * - `offline`: the socket is down (data on screen may be stale).
 */
export type ConnectionStatus = 'connecting' | 'live' | 'resyncing' | 'offline';

export interface ConnectionState {
  status: ConnectionStatus;
  /** When the data on screen stopped being live (epoch ms); null while live or before any data. */
  staleSince: number | null;
  /** Snapshots applied so far (1 after the first connection, +1 per reconnection). */
  snapshots: number;
}

/** Unit changes: the ids that changed, or 'reset' when the whole fleet was replaced. */
export type UnitsChange = 'reset' | readonly string[];

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  subscribe(l: Listener<T>): () => void {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
  emit(value: T): void {
    for (const l of this.listeners) l(value);
  }
}

const MAX_ALERTS = 20;

/**
 * An ack-timeout alert stands while its unit still holds the incident unacknowledged; a late ack,
 * a reassignment, a cancellation or closing clears it. When the auto-assign policy already moved
 * the incident (`autoReassignedTo`), the alert tells of a unit that did not answer: it stands
 * until dismissed, or until the incident is cancelled or closed. A released-unit alert stands while
 * the call waits for a unit: assigning one, cancelling or closing clears it.
 */
export function alertStillHolds(alert: AlertEvent, incident: Incident): boolean {
  if (alert.type === 'unit_released') return incident.vehicleId === null && (incident.state === 'received' || incident.state === 'triaged');
  if (alert.autoReassignedTo) return incident.state !== 'cancelled' && incident.state !== 'closed';
  return incident.state === 'assigned' && incident.vehicleId === alert.vehicleId;
}

/**
 * The client's live data: socket events go in, subscribers are told what changed. The map layers
 * subscribe to unit changes directly (no React render per message); React reads incidents,
 * alerts and the connection state through `useSyncExternalStore` snapshots.
 */
export class LiveStore {
  private state: LiveState = createLiveState();
  private readonly unitsChanged = new Emitter<UnitsChange>();
  private readonly incidentsChanged = new Emitter<void>();
  private readonly connectionChanged = new Emitter<void>();
  private readonly alertsChanged = new Emitter<void>();
  private readonly timelineChanged = new Emitter<string>();
  /** Per incident: how many timeline events were announced (a re-read trigger, not a count of events). */
  private readonly timelineTicks = new Map<string, number>();
  private openIncidentsCache: Incident[] | null = null;
  private connection: ConnectionState = { status: 'connecting', staleSince: null, snapshots: 0 };
  private alertList: AlertEvent[] = [];
  /** Deltas ignored because their seq was not above the snapshot's (for tests and diagnostics). */
  ignoredDeltas = 0;

  constructor(private readonly now: () => number = Date.now) {}

  // ---- socket events ----

  onConnect(): void {
    beginConnection(this.state);
    this.setConnection({ status: this.connection.snapshots === 0 ? 'connecting' : 'resyncing' });
  }

  onDisconnect(): void {
    if (this.connection.status === 'offline') return;
    this.setConnection({ status: 'offline', staleSince: this.connection.staleSince ?? this.now() });
  }

  onSnapshot(snap: SnapshotEvent): void {
    applySnapshot(this.state, snap);
    this.unitsChanged.emit('reset');
    this.touchIncidents();
    this.setConnection({ status: 'live', staleSince: null, snapshots: this.connection.snapshots + 1 });
  }

  onUnits(delta: UnitsDeltaEvent): void {
    const r = applyUnitsDelta(this.state, delta);
    if (!r.applied) {
      this.ignoredDeltas++;
      return;
    }
    if (r.changedIds.length) this.unitsChanged.emit(r.changedIds);
  }

  /** An incident from the socket or from a REST response; the higher version wins. */
  onIncident(incident: Incident): void {
    if (!applyIncident(this.state, incident)) return;
    this.touchIncidents();
    const kept = this.alertList.filter((a) => a.incidentId !== incident.id || alertStillHolds(a, incident));
    if (kept.length !== this.alertList.length) {
      this.alertList = kept;
      this.alertsChanged.emit();
    }
  }

  onAlert(alert: AlertEvent): void {
    this.alertList = [alert, ...this.alertList].slice(0, MAX_ALERTS);
    this.alertsChanged.emit();
  }

  /** An event was added to an incident's timeline without changing the incident. */
  onTimeline(e: TimelineAppendedEvent): void {
    this.timelineTicks.set(e.incidentId, (this.timelineTicks.get(e.incidentId) ?? 0) + 1);
    this.timelineChanged.emit(e.incidentId);
  }

  dismissAlert(alert: AlertEvent): void {
    this.alertList = this.alertList.filter((a) => a !== alert);
    this.alertsChanged.emit();
  }

  // ---- reads ----

  get seq(): number | null {
    return this.state.seq;
  }
  get unitCount(): number {
    return this.state.units.size;
  }
  unit(id: string): Vehicle | undefined {
    return this.state.units.get(id);
  }
  units(): IterableIterator<Vehicle> {
    return this.state.units.values();
  }
  incident(id: string): Incident | undefined {
    return this.state.incidents.get(id);
  }
  /** Stable array until the incidents change (a `useSyncExternalStore` snapshot). */
  openIncidents = (): Incident[] => (this.openIncidentsCache ??= openIncidentsByUrgency(this.state.incidents.values()));
  connectionState = (): ConnectionState => this.connection;
  alerts = (): AlertEvent[] => this.alertList;
  /** Changes whenever the incident's timeline grows without the incident changing. */
  timelineTick(incidentId: string): number {
    return this.timelineTicks.get(incidentId) ?? 0;
  }

  // ---- subscriptions ----

  subscribeUnits(l: Listener<UnitsChange>): () => void {
    return this.unitsChanged.subscribe(l);
  }
  subscribeIncidents = (l: () => void): (() => void) => this.incidentsChanged.subscribe(l);
  subscribeConnection = (l: () => void): (() => void) => this.connectionChanged.subscribe(l);
  subscribeAlerts = (l: () => void): (() => void) => this.alertsChanged.subscribe(l);
  subscribeTimeline(l: Listener<string>): () => void {
    return this.timelineChanged.subscribe(l);
  }

  private touchIncidents(): void {
    this.openIncidentsCache = null;
    this.incidentsChanged.emit();
  }

  private setConnection(patch: Partial<ConnectionState>): void {
    this.connection = { ...this.connection, ...patch };
    this.connectionChanged.emit();
  }
}
