import {
  AckMsgSchema,
  OwnTracksLocationSchema,
  parseVehicleTopic,
  PositionMsgSchema,
  StatusMsgSchema,
  type PositionMsg,
} from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import type { Counters } from '../../counters.ts';
import type { DispatchService } from '../../services/dispatch.ts';
import type { Fleet } from '../../services/fleet.ts';
import type { PositionRow, PositionWriter } from '../store/positionWriter.ts';
import type { TrackerRegistry } from '../store/trackers.ts';
import { fromOwnTracks } from '../../core/trackers.ts';
import type { VehicleOwner } from '../../core/ownership.ts';

const positionParser = compileParser(PositionMsgSchema);
const statusParser = compileParser(StatusMsgSchema);
const ackParser = compileParser(AckMsgSchema);
const ownTracksParser = compileParser(OwnTracksLocationSchema);

/** Payloads above this are rejected unread: no valid vehicle message comes close. */
export const MAX_PAYLOAD_BYTES = 4096;

export interface IngestDeps {
  prefix: string;
  fleet: Fleet;
  trackers: TrackerRegistry;
  writer: PositionWriter;
  dispatch: DispatchService;
  counters: Counters;
  log: { warn(o: object, m: string): void; debug(o: object, m: string): void };
  /**
   * Tells the unit that its crew message `mid` is applied and committed (`stored {mids}`). Called
   * only after the handler's transaction committed, also for a duplicate or stale message (it was
   * handled before, and sending it again would change nothing).
   */
  confirmCrew?: (vehicleId: string, mid: number, boot: string) => void;
  /**
   * Several instances: every one receives every message and keeps its live index complete, but only
   * a vehicle's owner writes, applies statuses and acks, and confirms. Default: this instance.
   */
  owner: VehicleOwner;
  /** A position that reached only this instance (over HTTP) goes to the other instances' live index. */
  shareFix?: (vehicleId: string, fix: SharedFix) => void;
  now?: () => number;
}

/** A position as the live index takes it. */
export type SharedFix = Omit<PositionRow, 'vehicleId' | 'receivedAtMs' | 'onCommitted' | 'boot'>;

/**
 * The MQTT ingest pipeline: topic → validate → (position) live index + batched writer,
 * (status/ack) the dispatch workflow in per-unit order, confirmed to the unit after the commit when
 * it carries a `mid` (a failed handler confirms nothing: the unit sends it again). A bad message is
 * counted, logged and dropped; it never stops the consumer.
 */
export class Ingest {
  private readonly now: () => number;
  private lastRejectLog = 0;
  private readonly onlinePending = new Set<string>();

  constructor(private readonly d: IngestDeps) {
    this.now = d.now ?? Date.now;
  }

  handle(topic: string, payload: Uint8Array): void {
    if (topic.startsWith('owntracks/')) return this.onOwnTracks(topic, payload);
    const t = parseVehicleTopic(this.d.prefix, topic);
    if (!t) return this.reject('topic', topic, 'not a vehicle topic');
    if (payload.byteLength > MAX_PAYLOAD_BYTES) return this.reject('too_large', topic, `${payload.byteLength} bytes`);
    // Positions are marked heard in acceptPosition (shared with the phone sources).
    if (t.kind === 'status' || t.kind === 'ack') this.d.fleet.heard(t.vehicleId, this.now());
    switch (t.kind) {
      case 'position': {
        const r = positionParser.parseJson(payload);
        if (!r.ok) return this.reject('invalid_position', topic, r.error);
        this.d.counters.inc('positions_received');
        this.onPosition(t.vehicleId, r.value);
        return;
      }
      case 'status': {
        const r = statusParser.parseJson(payload);
        if (!r.ok) return this.reject('invalid_status', topic, r.error);
        const boot = this.d.owner.owns(t.vehicleId);
        if (boot === null) return this.d.counters.inc('statuses_for_other_instance');
        this.d.counters.inc('statuses_received');
        const { mid } = r.value;
        void this.d.dispatch.inOrder(t.vehicleId, async () => {
          await this.d.dispatch.ensureUnit(t.vehicleId);
          await this.d.dispatch.onUnitStatus(t.vehicleId, r.value);
          if (mid !== undefined) this.d.confirmCrew?.(t.vehicleId, mid, boot);
        });
        return;
      }
      case 'ack': {
        const r = ackParser.parseJson(payload);
        if (!r.ok) return this.reject('invalid_ack', topic, r.error);
        const boot = this.d.owner.owns(t.vehicleId);
        if (boot === null) return this.d.counters.inc('acks_for_other_instance');
        this.d.counters.inc('acks_received');
        const { mid } = r.value;
        void this.d.dispatch.inOrder(t.vehicleId, async () => {
          await this.d.dispatch.onAck(t.vehicleId, r.value);
          if (mid !== undefined) this.d.confirmCrew?.(t.vehicleId, mid, boot);
        });
        return;
      }
      default:
        // Server → agent topics (assignment, stored) echo back to us only if subscribed; ignore.
        return;
    }
  }

  private onPosition(vehicleId: string, p: PositionMsg): void {
    this.position(vehicleId, { seq: p.seq, recordedAtMs: p.ts, lat: p.lat, lng: p.lon, speedMps: p.spd ?? null, headingDeg: p.hdg ?? null, accuracyM: p.acc ?? null }, this.d.owner.owns(vehicleId));
  }

  /**
   * A position that reached this instance only (OsmAnd over HTTP): stored here whichever instance
   * owns the unit, since no other has it, and shown by the others. `onCommitted` runs after the row
   * is in the database (the app's only acknowledgement is the reply).
   */
  acceptPosition(vehicleId: string, fix: SharedFix, onCommitted?: () => void): void {
    this.position(vehicleId, fix, this.d.owner.owns(vehicleId), onCommitted ?? (() => undefined));
    this.d.shareFix?.(vehicleId, fix);
  }

  /** A position another instance received over HTTP: this instance's live index only. */
  indexPosition(vehicleId: string, fix: SharedFix): void {
    this.position(vehicleId, fix, null);
  }

  /**
   * One position from any source: offered to the live fleet, which takes it only if newer and
   * plausible. Stored raw, always, by the instance that acts on it: the vehicle's owner (`boot`, what
   * its `stored` carries), or the one it came to over HTTP (`onCommitted`).
   */
  private position(vehicleId: string, fix: SharedFix, boot: string | null, onCommitted?: () => void): void {
    const receivedAtMs = this.now();
    this.d.fleet.heard(vehicleId, receivedAtMs);
    const writes = boot !== null || onCommitted !== undefined;
    if (writes) {
      if (!this.d.fleet.has(vehicleId)) void this.d.dispatch.inOrder(vehicleId, () => this.d.dispatch.ensureUnit(vehicleId));
      this.d.writer.enqueue({ vehicleId, receivedAtMs, ...fix, ...(boot !== null ? { boot } : {}), ...(onCommitted ? { onCommitted } : {}) });
    }
    const outcome = this.d.fleet.offer(vehicleId, { lat: fix.lat, lng: fix.lng, recordedAtMs: fix.recordedAtMs, speedMps: fix.speedMps, headingDeg: fix.headingDeg }, receivedAtMs);
    if (outcome === 'older') this.d.counters.inc('positions_not_newer');
    else if (outcome !== 'moved') this.d.counters.inc(`positions_suspect_${outcome}`);
    if (writes) this.markSeen(vehicleId);
  }

  /** A unit that reports is online. */
  private markSeen(vehicleId: string): void {
    if (!this.d.fleet.index.get(vehicleId)?.online && !this.onlinePending.has(vehicleId)) {
      this.onlinePending.add(vehicleId);
      void this.d.dispatch.inOrder(vehicleId, async () => {
        this.onlinePending.delete(vehicleId);
        await this.d.dispatch.markOnline(vehicleId, true);
      });
    }
  }

  /** A phone running OwnTracks, standing in for the unit its `user/device` is mapped to. */
  private onOwnTracks(topic: string, payload: Uint8Array): void {
    const parts = topic.split('/');
    if (parts.length !== 3 || !parts[1] || !parts[2]) return; // owntracks/u/d/event, …/cmd: not locations
    if (payload.byteLength > MAX_PAYLOAD_BYTES) return this.reject('too_large', topic, `${payload.byteLength} bytes`);
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      return this.reject('invalid_owntracks', topic, 'malformed JSON');
    }
    if (typeof raw === 'object' && raw !== null && (raw as { _type?: unknown })._type !== 'location') {
      this.d.counters.inc('owntracks_ignored_type');
      return;
    }
    const r = ownTracksParser.validate(raw);
    if (!r.ok) return this.reject('invalid_owntracks', topic, r.error);
    const deviceKey = `${parts[1]}/${parts[2]}`;
    const vehicleId = this.d.trackers.unitFor('owntracks', deviceKey);
    if (!vehicleId) return this.reject('owntracks_unmapped', topic, `no unit is mapped to ${deviceKey}`);
    this.d.counters.inc('owntracks_received');
    const fix = fromOwnTracks(r.value);
    // No sequence number in OwnTracks: the device time (ms) is unique per fix and de-duplicates.
    this.position(vehicleId, { seq: fix.recordedAtMs, ...fix }, this.d.owner.owns(vehicleId));
  }

  private reject(reason: string, topic: string, detail: string): void {
    this.d.counters.inc(`mqtt_rejected_${reason}`);
    // Log at most once a second so a flood of garbage cannot flood the log.
    const now = this.now();
    if (now - this.lastRejectLog >= 1000) {
      this.lastRejectLog = now;
      this.d.log.warn({ topic: topic.slice(0, 200), reason, detail: detail.slice(0, 200) }, 'dropped bad MQTT message');
    }
  }
}
