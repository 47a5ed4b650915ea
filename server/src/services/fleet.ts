import type { UnitStatus, Vehicle } from '@lifeline/protocol';
import { FleetIndex } from '../core/fleetIndex.ts';
import { assessFix, type FixIssue, type TimedFix } from '../core/fixQuality.ts';
import type { StoredVehicle } from '../adapters/store/vehicles.ts';

/**
 * The live fleet in memory: the H3 index (positions, status, online) plus what the map shows of
 * each unit (call sign, current incident). Every change marks the unit dirty for the next
 * realtime frame.
 */
export class Fleet {
  // Resolution 7 (~1.2 km edges): measured 1.6–3× faster than 8 for 1k–10k units (bench/nearest).
  readonly index = new FleetIndex(8);
  private readonly callSigns = new Map<string, string>();
  private readonly incidents = new Map<string, string | null>();
  private readonly dirty = new Set<string>();
  /** Server time (ms) each unit entered its current status. */
  private readonly statusSince = new Map<string, number>();
  /** The last fix refused as a jump, and the issue of each unit's latest fix. */
  private readonly suspects = new Map<string, TimedFix>();
  private readonly fixIssues = new Map<string, FixIssue>();
  /** Server time (ms) of each unit's latest accepted fix. */
  private readonly lastFixAt = new Map<string, number>();
  /** Server time (ms) each unit was last heard from, by any message. */
  private readonly lastHeard = new Map<string, number>();
  /** Status, incident and online changes made by this instance: a counter, and its value at each unit's latest. */
  private localTick = 0;
  private readonly lastLocalChange = new Map<string, number>();

  load(rows: StoredVehicle[], nowMs = Date.now()): void {
    for (const v of rows) {
      this.callSigns.set(v.id, v.callSign);
      this.incidents.set(v.id, v.incidentId);
      this.statusSince.set(v.id, v.statusChangedAtMs);
      this.index.ensure(v.id, v.status, v.online);
      if (v.last) {
        this.index.move(v.id, v.last);
        // Until the unit reports again, its stored fix counts as received at start-up.
        this.lastFixAt.set(v.id, nowMs);
      }
    }
  }

  has(id: string): boolean {
    return this.callSigns.has(id);
  }

  register(id: string, callSign = id): void {
    if (this.callSigns.has(id)) return;
    this.changedHere(id);
    this.callSigns.set(id, callSign);
    this.incidents.set(id, null);
    this.statusSince.set(id, Date.now());
    this.index.ensure(id, 'available', false);
    this.dirty.add(id);
  }

  callSign(id: string): string {
    return this.callSigns.get(id) ?? id;
  }

  /**
   * Offers a fix as the unit's live position: refused when older than the live one (back-fill) or
   * implausible (see core/fixQuality). Returns what happened.
   */
  offer(id: string, p: Parameters<FleetIndex['move']>[1], nowMs: number): 'moved' | 'older' | FixIssue {
    const e = this.index.ensure(id);
    const issue = assessFix(p, e.position, this.suspects.get(id) ?? null, nowMs);
    if (issue) {
      if (issue === 'implausible_jump') this.suspects.set(id, p);
      if (this.fixIssues.get(id) !== issue) this.dirty.add(id);
      this.fixIssues.set(id, issue);
      return issue;
    }
    if (!this.index.move(id, p)) return 'older';
    this.suspects.delete(id);
    this.fixIssues.delete(id);
    this.lastFixAt.set(id, nowMs);
    this.dirty.add(id);
    return 'moved';
  }

  /** True when the unit's latest accepted fix arrived within `maxAgeMs` (server time). */
  fresh(id: string, nowMs: number, maxAgeMs: number): boolean {
    return nowMs - (this.lastFixAt.get(id) ?? -Infinity) <= maxAgeMs;
  }

  setStatus(id: string, status: UnitStatus, incidentId?: string | null, atMs = Date.now()): void {
    this.changedHere(id);
    if (this.index.get(id)?.status !== status) this.statusSince.set(id, atMs);
    this.index.setStatus(id, status);
    if (incidentId !== undefined) this.incidents.set(id, incidentId);
    this.dirty.add(id);
  }

  /** Returns true when the online flag changed. */
  setOnline(id: string, online: boolean): boolean {
    const e = this.index.ensure(id);
    if (e.online === online) return false;
    this.changedHere(id);
    this.index.setOnline(id, online);
    this.dirty.add(id);
    return true;
  }

  /** Where the count of this instance's own status, incident and online changes stands (see `changedHereSince`). */
  localChangeTick(): number {
    return this.localTick;
  }

  /** True when this instance changed the unit after `localChangeTick()` returned `tick`. */
  changedHereSince(id: string, tick: number): boolean {
    return (this.lastLocalChange.get(id) ?? 0) > tick;
  }

  private changedHere(id: string): void {
    this.lastLocalChange.set(id, ++this.localTick);
  }

  /**
   * A unit as the database holds it, after another instance changed it (or a periodic re-read):
   * taken as it is, and marked for the next frame only where it differs. The caller makes sure no
   * local change happened since the read began (`changedHereSince`).
   */
  applyStored(v: Omit<StoredVehicle, 'last'>): void {
    const e = this.index.ensure(v.id, v.status, v.online);
    let changed = !this.callSigns.has(v.id);
    this.callSigns.set(v.id, v.callSign);
    if (e.status !== v.status) {
      this.index.setStatus(v.id, v.status);
      this.statusSince.set(v.id, v.statusChangedAtMs);
      changed = true;
    }
    if (e.online !== v.online) {
      this.index.setOnline(v.id, v.online);
      changed = true;
    }
    if ((this.incidents.get(v.id) ?? null) !== v.incidentId) {
      this.incidents.set(v.id, v.incidentId);
      changed = true;
    }
    if (!this.statusSince.has(v.id)) this.statusSince.set(v.id, v.statusChangedAtMs);
    if (changed) this.dirty.add(v.id);
  }

  view(id: string): Vehicle | null {
    const e = this.index.get(id);
    if (!e) return null;
    return {
      id,
      callSign: this.callSign(id),
      status: e.status,
      online: e.online,
      incidentId: this.incidents.get(id) ?? null,
      statusSince: this.statusSince.has(id) ? new Date(this.statusSince.get(id)!).toISOString() : null,
      fixIssue: this.fixIssues.get(id) ?? null,
      position: e.position
        ? {
            lat: e.position.lat,
            lng: e.position.lng,
            recordedAt: new Date(e.position.recordedAtMs).toISOString(),
            speedMps: e.position.speedMps,
            headingDeg: e.position.headingDeg,
          }
        : null,
    };
  }

  views(): Vehicle[] {
    const out: Vehicle[] = [];
    for (const e of this.index.all()) out.push(this.view(e.id)!);
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  heard(id: string, atMs: number): void {
    this.lastHeard.set(id, atMs);
  }

  /** Online units not heard from since `cutoffMs` (server time): silent without a last will. */
  silentSince(cutoffMs: number): string[] {
    const out: string[] = [];
    for (const e of this.index.all()) {
      if (e.online && (this.lastHeard.get(e.id) ?? 0) < cutoffMs) out.push(e.id);
    }
    return out;
  }

  /** Units changed since the last call. */
  takeDirty(): Vehicle[] {
    const out: Vehicle[] = [];
    for (const id of this.dirty) {
      const v = this.view(id);
      if (v) out.push(v);
    }
    this.dirty.clear();
    return out;
  }
}
