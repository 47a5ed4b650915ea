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
import { DEFAULT_MAX_CLOCK_SKEW_SEC, deviceTimeProblem } from '../../core/deviceTime.ts';
import type { DeadLetter, DeadLetterSource } from '../store/deadLetters.ts';
import { decryptOwnTracks, ownTracksMessages, ownTracksType } from './ownTracks.ts';

const positionParser = compileParser(PositionMsgSchema);
const statusParser = compileParser(StatusMsgSchema);
const ackParser = compileParser(AckMsgSchema);
const ownTracksParser = compileParser(OwnTracksLocationSchema);

/** Payloads above this are rejected unread: no valid vehicle message comes close. */
export const MAX_PAYLOAD_BYTES = 4096;
/** OwnTracks may send an array of queued messages (each ~250 bytes; encrypted ones a third more). */
export const OWNTRACKS_MAX_PAYLOAD_BYTES = 64 * 1024;

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
  /**
   * Keeps a refused message that does not go through the position writer (status, ack, OsmAnd);
   * resolves true once committed, and only then is the message acknowledged.
   */
  deadLetter: (l: DeadLetter) => Promise<boolean>;
  /** MAX_CLOCK_SKEW_SEC: how far ahead of the server clock a device time may be, ms. */
  maxClockSkewMs?: number;
  /** Why a phone's message was refused, for the admin trackers panel (encrypted without a key, …). */
  trackerError?: (kind: 'owntracks', deviceKey: string, reason: string) => void;
  now?: () => number;
}

/** A position as the live index takes it. */
export type SharedFix = Omit<PositionRow, 'vehicleId' | 'receivedAtMs' | 'onCommitted' | 'onAbandoned' | 'boot' | 'refused'>;

/** Callbacks of a position that came over HTTP, whose reply is its only acknowledgement. */
export type HttpOutcome = Pick<PositionRow, 'onCommitted' | 'onAbandoned'>;

/**
 * The MQTT ingest pipeline: topic → validate → (position) live index + batched writer,
 * (status/ack) the dispatch workflow in per-unit order, confirmed to the unit after the commit when
 * it carries a `mid` (a failed handler confirms nothing: the unit sends it again). A bad message is
 * counted, logged and dropped; it never stops the consumer.
 */
export class Ingest {
  private readonly now: () => number;
  private readonly maxSkewMs: number;
  private lastRejectLog = 0;
  private readonly onlinePending = new Set<string>();

  constructor(private readonly d: IngestDeps) {
    this.now = d.now ?? Date.now;
    this.maxSkewMs = d.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_SEC * 1000;
  }

  /** A message refused at an HTTP boundary (OsmAnd): counted and kept; resolves once committed. */
  refuseHttp(l: DeadLetter): Promise<boolean> {
    this.d.counters.inc('osmand_rejected_device_time');
    return this.d.deadLetter(l);
  }

  /** Why a device time is outside the accepted window (core/deviceTime.ts), or null. */
  timeProblem(ms: number): string | null {
    return deviceTimeProblem(ms, this.now(), this.maxSkewMs);
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
        const late = this.timeProblem(r.value.ts);
        if (late) return this.refusePosition(t.vehicleId, 'mqtt_position', payload, late, topic);
        this.d.counters.inc('positions_received');
        this.onPosition(t.vehicleId, r.value);
        return;
      }
      case 'status': {
        const r = statusParser.parseJson(payload);
        if (!r.ok) return this.reject('invalid_status', topic, r.error);
        const boot = this.d.owner.owns(t.vehicleId);
        if (boot === null) return this.d.counters.inc('statuses_for_other_instance');
        const { mid } = r.value;
        const late = this.timeProblem(r.value.ts);
        if (late) return this.refuseCrewMessage(t.vehicleId, 'mqtt_status', payload, late, topic, mid, boot);
        this.d.counters.inc('statuses_received');
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
        const { mid } = r.value;
        const late = this.timeProblem(r.value.ts);
        if (late) return this.refuseCrewMessage(t.vehicleId, 'mqtt_ack', payload, late, topic, mid, boot);
        this.d.counters.inc('acks_received');
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
  acceptPosition(vehicleId: string, fix: SharedFix, http: HttpOutcome = {}): void {
    this.position(vehicleId, fix, this.d.owner.owns(vehicleId), { onCommitted: http.onCommitted ?? (() => undefined), ...(http.onAbandoned ? { onAbandoned: http.onAbandoned } : {}) });
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
  private position(vehicleId: string, fix: SharedFix, boot: string | null, http?: HttpOutcome): void {
    const receivedAtMs = this.now();
    this.d.fleet.heard(vehicleId, receivedAtMs);
    const writes = boot !== null || http !== undefined;
    if (writes) {
      if (!this.d.fleet.has(vehicleId)) void this.d.dispatch.inOrder(vehicleId, () => this.d.dispatch.ensureUnit(vehicleId));
      this.d.writer.enqueue({ vehicleId, receivedAtMs, ...fix, ...(boot !== null ? { boot } : {}), ...http });
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

  /**
   * A position refused at the boundary (device time outside the window): counted, and written to
   * dead_letters through the position writer, in order with the unit's other positions — so its
   * `stored` confirmation covers it and the unit stops re-sending it. Never on the live map.
   */
  private refusePosition(vehicleId: string, source: DeadLetterSource, payload: Uint8Array | string, reason: string, topic: string, seq = 0): void {
    this.reject('device_time', topic, reason);
    const boot = this.d.owner.owns(vehicleId);
    if (boot === null) return; // its owner records it
    const parsed = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
    let seqOf = seq;
    try {
      const v = (JSON.parse(parsed) as { seq?: unknown } | null)?.seq;
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) seqOf = v;
    } catch {
      /* the caller parsed it already; keep `seq` */
    }
    const receivedAtMs = this.now();
    this.d.writer.enqueue({
      vehicleId, seq: seqOf, recordedAtMs: receivedAtMs, receivedAtMs, lat: 0, lng: 0, speedMps: null, headingDeg: null, accuracyM: null, boot,
      refused: { source, reason, payload: parsed, sqlstate: null },
    });
  }

  /** A status or ack refused at the boundary: dead-lettered, then confirmed (`mid`) so the unit stops re-sending it. */
  private refuseCrewMessage(vehicleId: string, source: DeadLetterSource, payload: Uint8Array, reason: string, topic: string, mid: number | undefined, boot: string): void {
    this.reject('device_time', topic, reason);
    void this.d.deadLetter({ source, vehicleId, payload: Buffer.from(payload).toString('utf8'), reason, sqlstate: null }).then((kept) => {
      if (kept && mid !== undefined) this.d.confirmCrew?.(vehicleId, mid, boot);
    });
  }

  /** A phone running OwnTracks, standing in for the unit its `user/device` is mapped to. */
  private onOwnTracks(topic: string, payload: Uint8Array): void {
    const parts = topic.split('/');
    if (parts.length !== 3 || !parts[1] || !parts[2]) return; // owntracks/u/d/event, …/cmd: not locations
    if (payload.byteLength > OWNTRACKS_MAX_PAYLOAD_BYTES) return this.reject('too_large', topic, `${payload.byteLength} bytes`);
    const deviceKey = `${parts[1]}/${parts[2]}`;
    const messages = ownTracksMessages(Buffer.from(payload).toString('utf8'));
    if (!messages.ok) return this.reject('invalid_owntracks', topic, messages.error);
    for (const m of messages.value) this.onOwnTracksMessage(topic, deviceKey, m, true);
  }

  /** One OwnTracks message; `mayDecrypt` is false inside a decrypted one (no nesting). */
  private onOwnTracksMessage(topic: string, deviceKey: string, m: unknown, mayDecrypt: boolean): void {
    const type = ownTracksType(m);
    if (type === 'encrypted' && mayDecrypt) return this.onOwnTracksEncrypted(topic, deviceKey, m as { data?: unknown });
    if (type === 'lwt') return this.onOwnTracksLastWill(topic, deviceKey);
    if (type !== 'location') {
      this.d.counters.inc('owntracks_ignored_type');
      return;
    }
    const r = ownTracksParser.validate(m);
    if (!r.ok) return this.reject('invalid_owntracks', topic, r.error);
    const vehicleId = this.d.trackers.unitFor('owntracks', deviceKey);
    if (!vehicleId) return this.reject('owntracks_unmapped', topic, `no unit is mapped to ${deviceKey}`);
    const fix = fromOwnTracks(r.value);
    const late = this.timeProblem(fix.recordedAtMs);
    if (late) {
      this.d.trackerError?.('owntracks', deviceKey, late);
      return this.refusePosition(vehicleId, 'owntracks', JSON.stringify(m), late, topic, r.value.tst);
    }
    this.d.counters.inc('owntracks_received');
    // No sequence number in OwnTracks: the device time (ms) is unique per fix and de-duplicates.
    this.position(vehicleId, { seq: fix.recordedAtMs, ...fix }, this.d.owner.owns(vehicleId));
  }

  private onOwnTracksEncrypted(topic: string, deviceKey: string, m: { data?: unknown }): void {
    const key = this.d.trackers.encryptionKeyFor('owntracks', deviceKey);
    if (key === null) {
      const why = this.d.trackers.unitFor('owntracks', deviceKey) ? 'encrypted payload, but no encryption key is configured for this tracker' : `no unit is mapped to ${deviceKey}`;
      if (why.startsWith('encrypted')) this.d.trackerError?.('owntracks', deviceKey, why);
      return this.reject(why.startsWith('encrypted') ? 'owntracks_encrypted_no_key' : 'owntracks_unmapped', topic, why);
    }
    const clear = decryptOwnTracks(m.data, key);
    if (!clear.ok) {
      this.d.trackerError?.('owntracks', deviceKey, clear.error);
      return this.reject('owntracks_decrypt_failed', topic, clear.error);
    }
    this.d.counters.inc('owntracks_decrypted');
    const inner = ownTracksMessages(clear.value);
    if (!inner.ok) return this.reject('invalid_owntracks', topic, `decrypted: ${inner.error}`);
    for (const x of inner.value) this.onOwnTracksMessage(topic, deviceKey, x, false);
  }

  /** The app's last will: its connection dropped. The unit is offline now, not after SILENT_AFTER_SEC. */
  private onOwnTracksLastWill(topic: string, deviceKey: string): void {
    const vehicleId = this.d.trackers.unitFor('owntracks', deviceKey);
    if (!vehicleId) return this.reject('owntracks_unmapped', topic, `no unit is mapped to ${deviceKey}`);
    this.d.counters.inc('owntracks_last_will');
    if (this.d.owner.owns(vehicleId) === null) return;
    void this.d.dispatch.inOrder(vehicleId, () => this.d.dispatch.markOnline(vehicleId, false));
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
