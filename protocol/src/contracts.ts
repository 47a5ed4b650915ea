import type { TSchema } from '@sinclair/typebox';
import { AckMsgSchema, AssignmentMsgSchema, CancelMsgSchema, PositionMsgSchema, ServerPresenceSchema, StatusMsgSchema, StoredMsgSchema } from './mqtt.ts';
import { IncidentSchema } from './rest.ts';
import { AlertEventSchema, HospitalCasesEventSchema, SnapshotEventSchema, TimelineAppendedEventSchema, UnitsDeltaEventSchema, type ServerToClientEvents } from './socket.ts';
import { serverWildcard, vehicleWildcard, type VehicleTopicKind } from './topics.ts';
import { OwnTracksLocationSchema } from './trackers.ts';

/**
 * The MQTT and socket.io contracts as plain data, published by the server at
 * `GET /api/schemas/mqtt.json` and `GET /api/schemas/socket.json` (the REST API is in
 * `/api/openapi.json`). The payload schemas are the very TypeBox schemas the boundaries validate
 * with; TypeBox schemas are JSON Schema, so these documents are too.
 */
export interface MqttTopicContract {
  /** Topic filter with the prefix applied; `+` stands for one level (the vehicle id, …). */
  topic: string;
  direction: 'agent → server' | 'server → agent' | 'server → servers' | 'OwnTracks app → server';
  qos: 0 | 1 | 2;
  retained: boolean;
  description: string;
  /** JSON Schema of the UTF-8 JSON payload. */
  payload: TSchema;
}

export interface MqttContract {
  title: string;
  prefix: string;
  topics: Record<string, MqttTopicContract>;
}

const vehicleTopics: Record<VehicleTopicKind, Omit<MqttTopicContract, 'topic'>> = {
  position: {
    direction: 'agent → server',
    qos: 1,
    retained: false,
    description: 'A GPS fix. `ts` is device time (epoch ms), `seq` a per-vehicle counter that never repeats; duplicates are dropped by (vehicle, seq).',
    payload: PositionMsgSchema,
  },
  status: {
    direction: 'agent → server',
    qos: 1,
    retained: true,
    description: "The unit's status; the last will carries `offline`. With `mid`, the server confirms it on `stored` once committed.",
    payload: StatusMsgSchema,
  },
  ack: {
    direction: 'agent → server',
    qos: 1,
    retained: false,
    description: 'The crew acknowledges an assignment.',
    payload: AckMsgSchema,
  },
  stored: {
    direction: 'server → agent',
    qos: 1,
    retained: false,
    description: 'Application-level durability: positions up to `seq` of server run `boot`, and the crew messages `mids`, are committed; the agent may drop them from its spool.',
    payload: StoredMsgSchema,
  },
  assignment: {
    direction: 'server → agent',
    qos: 1,
    retained: false,
    description: 'An incident assigned to the unit, with the scene as destination and a suggested hospital.',
    payload: AssignmentMsgSchema,
  },
  cancel: {
    direction: 'server → agent',
    qos: 1,
    retained: false,
    description: 'The assignment is withdrawn (call cancelled, or reassigned to another unit).',
    payload: CancelMsgSchema,
  },
};

export function mqttContract(prefix: string): MqttContract {
  const topics: Record<string, MqttTopicContract> = {};
  for (const [kind, t] of Object.entries(vehicleTopics) as [VehicleTopicKind, Omit<MqttTopicContract, 'topic'>][]) {
    topics[kind] = { topic: vehicleWildcard(prefix, kind), ...t };
  }
  topics.serverPresence = {
    topic: serverWildcard(prefix),
    direction: 'server → servers',
    qos: 1,
    retained: true,
    description: 'A server instance is up, in run `boot`; an empty payload (last will or clean stop) means it left. Server instances only.',
    payload: ServerPresenceSchema,
  };
  topics.owntracks = {
    topic: 'owntracks/+/+',
    direction: 'OwnTracks app → server',
    qos: 1,
    retained: false,
    description: "OwnTracks' own topic tree (no prefix): a phone standing in for the unit its `user/device` is mapped to (POST /api/trackers). Other `_type`s are ignored.",
    payload: OwnTracksLocationSchema,
  };
  return { title: 'Lifeline MQTT topics', prefix, topics };
}

export interface SocketEventContract {
  direction: 'server → client';
  description: string;
  payload: TSchema;
}

export interface SocketContract {
  title: string;
  description: string;
  events: Record<keyof ServerToClientEvents, SocketEventContract>;
}

const toClient = (description: string, payload: TSchema): SocketEventContract => ({ direction: 'server → client', description, payload });

export function socketContract(): SocketContract {
  return {
    title: 'Lifeline socket.io events',
    description:
      'The handshake carries the session token (`auth: {token}`) or the session cookie. A client is joined to its rooms before its snapshot is built; it ignores unit deltas whose `seq` is not above the snapshot\'s, and keeps the incident with the higher `version`. Clients send no events.',
    events: {
      snapshot: toClient('On connect (map roles): every unit and open incident.', SnapshotEventSchema),
      units: toClient('Units changed since the previous frame (a few frames per second at most).', UnitsDeltaEventSchema),
      incident: toClient('An incident changed (created, assigned, moved state, …).', IncidentSchema),
      alert: toClient('An assignment was not acknowledged in time.', AlertEventSchema),
      timeline: toClient("An event was added to an incident's timeline without changing the incident: re-read the timeline.", TimelineAppendedEventSchema),
      hospitalCases: toClient("To hospital staff: the cases heading to their hospital, with live ETA.", HospitalCasesEventSchema),
    },
  };
}
