import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  vehicleTopic,
  type AckMsg,
  type LatLng,
  type PositionMsg,
  type StatusMsg,
} from '@lifeline/protocol';
import { statusMsg } from '../core/job.ts';
import { childSeed, seededRng } from '../core/random.ts';
import { createSeqCounter } from '../core/seq.ts';
import { advance, initialSimState, receiveAssignment, receiveCancel, type SimState } from '../core/sim.ts';
import { resolveSimulation, type SimulationOptions } from '../options.ts';
import { assertVehicleId, parseAssignment, parseCancel, parseStored, round } from './vehicleMessages.ts';

export interface VehicleOptions extends SimulationOptions {
  /** Unit id, topic-safe (`^[A-Za-z0-9_-]{1,64}$`), e.g. 'BD-001'. */
  id: string;
  /** Start point ("station"). */
  start: LatLng;
  /** Seed for the idle wandering; same seed + options → same track. Default: random. */
  seed?: number;
  /** Wait this long before the first position, so a fleet does not publish in one burst. */
  startDelayMs?: number;
  /** Device clock (epoch ms) for `ts` and the seq origin. Default Date.now. */
  now?: () => number;
  /** The unit's MQTT password (POST /api/vehicles/:id/credentials); it logs in as its id. */
  password?: string;
}

export interface VehicleStats {
  connects: number;
  positionsPublished: number;
  statusesPublished: number;
  acksSent: number;
  assignmentsReceived: number;
  /** `cancel` messages received (applied or stale). */
  cancelsReceived: number;
  /** Messages on our topics that failed validation (counted, logged, dropped). */
  badMessages: number;
  /** seq of the first position of this run (the device clock at start, ms). */
  firstSeq: number;
  lastSeq: number | null;
  /** `stored` messages received. */
  storedMsgs: number;
  /** Highest seq the server says it has committed; null until the first `stored`. */
  lastStoredSeq: number | null;
  /** Positions of this run published but not yet confirmed stored (what the spool would hold). */
  unstored: number;
}

export interface VehicleEvents {
  connect: [];
  position: [PositionMsg];
  status: [StatusMsg];
  ack: [AckMsg];
  cancel: [{ assignmentId: string; applied: boolean }];
  stored: [{ seq: number }];
  badMessage: [{ topic: string; error: string }];
}

export interface SimulatedVehicle {
  readonly id: string;
  /** Observe what the vehicle publishes and receives (tests, the launcher). */
  readonly events: EventEmitter<VehicleEvents>;
  /** The underlying mqtt.js client; exposed for tests that break the connection on purpose. */
  readonly client: MqttClient;
  stats(): VehicleStats;
  /** Current simulated state (position, job, heading…). */
  state(): SimState;
  /** Publishes nothing more, disconnects cleanly (no last will) and resolves. Idempotent. */
  stop(): Promise<void>;
}

/** Simulated GPS horizontal accuracy, metres. */
const SIM_ACCURACY_M = 5;

/**
 * Starts one simulated ambulance: its own MQTT 3.1.1 client with a persistent session, a last will
 * and a timer that advances the pure simulation (core/) and publishes what it does.
 * Resolves once the broker has accepted the first connection; rejects after `connectTimeoutMs`.
 */
export async function startSimulatedVehicle(opts: VehicleOptions): Promise<SimulatedVehicle> {
  assertVehicleId(opts.id);
  const cfg = resolveSimulation(opts);
  const { log, prefix, hospitals } = cfg;
  const id = opts.id;
  const now = opts.now ?? Date.now;
  const rng = seededRng(opts.seed ?? childSeed(Math.floor(Math.random() * 2 ** 32), 0));
  const topic = {
    position: vehicleTopic(prefix, id, 'position'),
    status: vehicleTopic(prefix, id, 'status'),
    ack: vehicleTopic(prefix, id, 'ack'),
    assignment: vehicleTopic(prefix, id, 'assignment'),
    cancel: vehicleTopic(prefix, id, 'cancel'),
    stored: vehicleTopic(prefix, id, 'stored'),
  };
  const dtSec = (cfg.intervalMs / 1000) * cfg.timeScale;
  const seq = createSeqCounter(now());
  const events = new EventEmitter<VehicleEvents>();
  const counts = { connects: 0, positionsPublished: 0, statusesPublished: 0, acksSent: 0, assignmentsReceived: 0, cancelsReceived: 0, badMessages: 0, storedMsgs: 0 };
  let lastStoredSeq: number | null = null;
  let state = initialSimState(opts.start, cfg.sim, rng);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastError: string | undefined;

  const willPayload = () => JSON.stringify({ status: 'offline', ts: now() } satisfies StatusMsg);
  const options: IClientOptions = {
    protocolVersion: 4, // aedes speaks MQTT 3.1.1 only
    clientId: `lifeline-agent-${id}`,
    clean: false, // persistent session: assignments sent while we are away wait at the broker
    resubscribe: false, // we subscribe ourselves on every connect
    reconnectPeriod: 1000,
    connectTimeout: cfg.connectTimeoutMs,
    will: { topic: topic.status, payload: Buffer.from(willPayload()), qos: 1, retain: true },
    ...(opts.password !== undefined ? { username: id, password: opts.password } : {}),
  };
  const client = mqtt.connect(cfg.mqttUrl, options);

  const publish = (t: string, payload: object, retain: boolean): boolean => {
    if (stopped) return false;
    client.publish(t, JSON.stringify(payload), { qos: 1, retain }, (err) => {
      if (err && !stopped) log('warn', 'publish failed', { id, topic: t, error: err.message });
    });
    return true;
  };
  const publishStatus = () => {
    const msg = statusMsg(state.job, now());
    if (publish(topic.status, msg, true)) {
      counts.statusesPublished++;
      events.emit('status', msg);
      log('info', `${id} ${msg.status}`, msg.incidentId ? { incidentId: msg.incidentId } : undefined);
    }
  };
  const publishPosition = () => {
    const msg: PositionMsg = {
      seq: seq.next(),
      ts: now(),
      lat: round(state.position.lat, 7),
      lon: round(state.position.lng, 7),
      acc: SIM_ACCURACY_M,
      spd: round(state.speedMps, 2),
      hdg: round(state.headingDeg, 1) % 360,
    };
    if (publish(topic.position, msg, false)) {
      counts.positionsPublished++;
      events.emit('position', msg);
    }
  };
  const tick = () => {
    const t = advance(state, dtSec, cfg.sim, rng);
    state = t.state;
    if (t.statusChanged) publishStatus();
    publishPosition();
  };
  const bad = (t: string, error: string) => {
    counts.badMessages++;
    log('warn', 'dropped a bad message', { id, topic: t, error });
    events.emit('badMessage', { topic: t, error });
  };

  const onAssignment = (payload: Buffer) => {
    const parsed = parseAssignment.parseJson(payload);
    if (!parsed.ok) return bad(topic.assignment, parsed.error);
    counts.assignmentsReceived++;
    const ack: AckMsg = { assignmentId: parsed.value.assignmentId, ts: now() };
    if (publish(topic.ack, ack, false)) {
      counts.acksSent++;
      events.emit('ack', ack);
    }
    const r = receiveAssignment(state, parsed.value, hospitals, cfg.sim);
    if (r.duplicate) return;
    state = r.state;
    publishStatus();
  };
  const onCancel = (payload: Buffer) => {
    const parsed = parseCancel.parseJson(payload);
    if (!parsed.ok) return bad(topic.cancel, parsed.error);
    counts.cancelsReceived++;
    const r = receiveCancel(state, parsed.value, cfg.sim);
    events.emit('cancel', { assignmentId: parsed.value.assignmentId, applied: r.applied });
    if (!r.applied) return log('info', `${id} ignored a cancel for ${parsed.value.assignmentId} (not the current job)`);
    state = r.state;
    publishStatus();
  };
  const onStored = (payload: Buffer) => {
    const parsed = parseStored.parseJson(payload);
    if (!parsed.ok) return bad(topic.stored, parsed.error);
    if (parsed.value.seq === undefined) return; // confirms crew messages only: this simulator sends none with `mid`
    const last = seq.last;
    // A seq we never sent is a server bug; ignore it rather than drop unsent data.
    if (last === null || parsed.value.seq > last) return bad(topic.stored, `seq ${parsed.value.seq} was never published (last ${last})`);
    counts.storedMsgs++;
    lastStoredSeq = Math.max(lastStoredSeq ?? 0, parsed.value.seq);
    events.emit('stored', { seq: parsed.value.seq });
  };

  client.on('message', (t, payload) => {
    if (stopped) return;
    if (t === topic.assignment) onAssignment(payload);
    else if (t === topic.stored) onStored(payload);
    else if (t === topic.cancel) onCancel(payload);
  });
  client.on('connect', (connack) => {
    counts.connects++;
    lastError = undefined;
    // Subscribe even when the broker kept our session: it is idempotent, and a session made by an
    // older agent version may lack a topic (e.g. `cancel`). Queued messages arrive either way.
    client.subscribe([topic.assignment, topic.cancel, topic.stored], { qos: 1 }, (err) => {
      if (err && !stopped) log('error', 'subscribe failed', { id, error: err.message, sessionPresent: connack.sessionPresent });
    });
    publishStatus();
    events.emit('connect');
  });
  // The will is fixed at CONNECT time: refresh its ts before every reconnect.
  client.on('reconnect', () => {
    if (client.options.will) client.options.will.payload = Buffer.from(willPayload());
  });
  // A broker that is down fails every second: log each distinct error once per outage.
  client.on('error', (err) => {
    if (!stopped && err.message !== lastError) log('warn', 'mqtt error', { id, error: err.message });
    lastError = err.message;
  });
  client.on('offline', () => {
    if (!stopped && counts.connects > 0) log('warn', `${id} lost the broker; reconnecting (positions queue meanwhile)`);
  });

  const end = () =>
    new Promise<void>((resolve) => {
      // A clean DISCONNECT after in-flight QoS 1 messages are acked; don't hang on a dead broker.
      const guard = setTimeout(() => {
        client.stream?.destroy();
        resolve();
      }, 3000);
      client.end(!client.connected, {}, () => {
        clearTimeout(guard);
        resolve();
      });
    });

  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`vehicle ${id}: no connection to ${cfg.mqttUrl} within ${cfg.connectTimeoutMs} ms${lastError ? ` (${lastError})` : ''}`)),
        cfg.connectTimeoutMs,
      );
      client.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
    });
  } catch (err) {
    stopped = true;
    await end();
    throw err;
  }

  const startTimer = () => {
    if (stopped) return;
    publishPosition();
    timer = setInterval(tick, cfg.intervalMs);
  };
  if (opts.startDelayMs && opts.startDelayMs > 0) timer = setTimeout(startTimer, opts.startDelayMs);
  else startTimer();

  let stopping: Promise<void> | undefined;
  return {
    id,
    events,
    client,
    state: () => state,
    stats: () => {
      const last = seq.last;
      const storedUpTo = Math.max(lastStoredSeq ?? -1, seq.first - 1);
      return {
        ...counts,
        firstSeq: seq.first,
        lastSeq: last,
        lastStoredSeq,
        unstored: last === null ? 0 : Math.max(0, last - storedUpTo),
      };
    },
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        clearInterval(timer);
        await end();
      })()),
  };
}
