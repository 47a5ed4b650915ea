import {
  AckMsgSchema,
  parseVehicleTopic,
  PositionMsgSchema,
  StatusMsgSchema,
  type PositionMsg,
} from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import type { Counters } from '../../counters.ts';
import type { DispatchService } from '../../services/dispatch.ts';
import type { Fleet } from '../../services/fleet.ts';
import type { PositionWriter } from '../store/positionWriter.ts';

const positionParser = compileParser(PositionMsgSchema);
const statusParser = compileParser(StatusMsgSchema);
const ackParser = compileParser(AckMsgSchema);

/** Payloads above this are rejected unread: no valid vehicle message comes close. */
export const MAX_PAYLOAD_BYTES = 4096;

export interface IngestDeps {
  prefix: string;
  fleet: Fleet;
  writer: PositionWriter;
  dispatch: DispatchService;
  counters: Counters;
  log: { warn(o: object, m: string): void; debug(o: object, m: string): void };
  now?: () => number;
}

/**
 * The MQTT ingest pipeline: topic → validate → (position) live index + batched writer,
 * (status/ack) the dispatch workflow in per-unit order. A bad message is counted, logged and
 * dropped; it never stops the consumer.
 */
export class Ingest {
  private readonly now: () => number;
  private lastRejectLog = 0;
  private readonly onlinePending = new Set<string>();

  constructor(private readonly d: IngestDeps) {
    this.now = d.now ?? Date.now;
  }

  handle(topic: string, payload: Uint8Array): void {
    const t = parseVehicleTopic(this.d.prefix, topic);
    if (!t) return this.reject('topic', topic, 'not a vehicle topic');
    if (payload.byteLength > MAX_PAYLOAD_BYTES) return this.reject('too_large', topic, `${payload.byteLength} bytes`);
    if (t.kind === 'position' || t.kind === 'status' || t.kind === 'ack') this.d.fleet.heard(t.vehicleId, this.now());
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
        this.d.counters.inc('statuses_received');
        void this.d.dispatch.inOrder(t.vehicleId, async () => {
          await this.d.dispatch.ensureUnit(t.vehicleId);
          await this.d.dispatch.onUnitStatus(t.vehicleId, r.value);
        });
        return;
      }
      case 'ack': {
        const r = ackParser.parseJson(payload);
        if (!r.ok) return this.reject('invalid_ack', topic, r.error);
        this.d.counters.inc('acks_received');
        void this.d.dispatch.inOrder(t.vehicleId, () => this.d.dispatch.onAck(t.vehicleId, r.value));
        return;
      }
      default:
        // Server → agent topics (assignment, stored) echo back to us only if subscribed; ignore.
        return;
    }
  }

  private onPosition(vehicleId: string, p: PositionMsg): void {
    const receivedAtMs = this.now();
    if (!this.d.fleet.has(vehicleId)) {
      void this.d.dispatch.inOrder(vehicleId, () => this.d.dispatch.ensureUnit(vehicleId));
    }
    // The raw fix is always stored; only a newer one moves the live position.
    this.d.writer.enqueue({
      vehicleId,
      seq: p.seq,
      recordedAtMs: p.ts,
      receivedAtMs,
      lat: p.lat,
      lng: p.lon,
      speedMps: p.spd ?? null,
      headingDeg: p.hdg ?? null,
      accuracyM: p.acc ?? null,
    });
    if (!this.d.fleet.move(vehicleId, { lat: p.lat, lng: p.lon, recordedAtMs: p.ts, speedMps: p.spd ?? null, headingDeg: p.hdg ?? null })) {
      this.d.counters.inc('positions_not_newer');
    }
    if (!this.d.fleet.index.get(vehicleId)?.online && !this.onlinePending.has(vehicleId)) {
      this.onlinePending.add(vehicleId);
      void this.d.dispatch.inOrder(vehicleId, async () => {
        this.onlinePending.delete(vehicleId);
        await this.d.dispatch.markOnline(vehicleId, true);
      });
    }
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
