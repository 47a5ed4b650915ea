import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  DEFAULT_TOPIC_PREFIX,
  vehicleTopic,
  type HospitalSummary,
  type PositionMsg,
  type StatusMsg,
} from '@lifeline/protocol';
import { CrewOutbox } from '../core/crewOutbox.ts';
import { crewCommand, INITIAL_MEMO, receiveAssignment, receiveCancel, type CrewCommand, type CrewMemo } from '../core/crew.ts';
import { decideReport, resolvePolicy, type PolicyFix, type ReportingPolicy } from '../core/policy.ts';
import { Forwarder, thinning, type SpooledMessage, type SpoolLimits, type SpoolRecord } from '../core/spool.ts';
import type { GpsFix, GpsSource } from '../gps/types.ts';
import { silentLog, type Log } from '../options.ts';
import { FileSpool } from '../spool/fileSpool.ts';
import { startCrewPanel, type CrewPanel, type CrewPanelOptions } from '../panel/server.ts';
import { assertVehicleId, parseAssignment, parseCancel, parseStored, round } from './vehicleMessages.ts';

export interface MqttConnection {
  /** mqtt://, mqtts://, ws:// or wss:// URL. */
  url: string;
  /** Per-unit credentials (POST /api/vehicles/:id/credentials). */
  username?: string;
  password?: string;
  /** PEM contents (not paths) for TLS: the CA that signed the broker, and a client certificate if the broker wants one. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default true; false only for a test broker with a self-signed certificate. */
  rejectUnauthorized?: boolean;
}

export interface ForwardingOptions {
  /** Backlog positions published but not yet confirmed, at most. Default 500. */
  maxInFlight: number;
  /**
   * No confirmation for this long while positions are unconfirmed → publish them all again; the same
   * for the crew message awaiting its confirmation. Default 30 s.
   */
  resendAfterMs: number;
  /** After a (re)connection, re-send the newest position this often until the server confirms one. Default 3 s. */
  probeEveryMs: number;
}

export const DEFAULT_FORWARDING: ForwardingOptions = { maxInFlight: 500, resendAfterMs: 30_000, probeEveryMs: 3_000 };

export interface VehicleAgentOptions {
  /** Unit id, topic-safe (`^[A-Za-z0-9_-]{1,64}$`). */
  id: string;
  /** Where fixes come from. A factory is called again (after `sourceRetryMs`) when the source fails. */
  source: GpsSource | (() => GpsSource);
  mqtt: MqttConnection;
  /** Directory of the on-disk spool (created if missing). One agent per directory. */
  spoolDir: string;
  /** Topic prefix. Default 'lifeline/v1'. */
  prefix?: string;
  policy?: Partial<ReportingPolicy>;
  spool?: Partial<SpoolLimits> & { syncIntervalMs?: number };
  forwarding?: Partial<ForwardingOptions>;
  /** Hospitals the crew can choose for transport (the assignment's suggestion is always offered). */
  hospitals?: readonly HospitalSummary[];
  /** Device clock, epoch ms. Default Date.now. */
  now?: () => number;
  sourceRetryMs?: number;
  /** Serve the crew panel (see panel/server.ts). */
  panel?: CrewPanelOptions;
  log?: Log;
}

export interface CrewMessageView {
  id: number;
  kind: 'status' | 'ack';
  /** The status, or 'ack'. */
  what: string;
  ts: number;
  state: 'pending' | 'confirmed';
}

export interface AgentSnapshot {
  id: string;
  connected: boolean;
  /** The server is known to receive this connection's positions (a `stored` came back). */
  serverConfirmed: boolean;
  memo: CrewMemo;
  hospitals: HospitalSummary[];
  lastFix: GpsFix | null;
  spool: { positions: number; messages: number; bytes: number; thinned: number };
  /** Crew messages: pending (in the spool) and the last few confirmed (applied and committed by the server). */
  messages: CrewMessageView[];
}

export interface AgentStats {
  fixes: number;
  positionsSpooled: number;
  positionsPublished: number;
  storedMsgs: number;
  confirmed: number;
  /** Crew messages published (each send, repeats included). */
  messagesPublished: number;
  /** Crew messages the server confirmed (`stored {mids}`): they left the spool. */
  messagesConfirmed: number;
  /** `stored` messages from a server run other than the last one seen (the server restarted). */
  serverRestarts: number;
  connects: number;
  resendRounds: number;
  badMessages: number;
}

export interface AgentEvents {
  connect: [];
  offline: [];
  position: [PositionMsg];
  stored: [{ seq: number; confirmed: number }];
  /** The server confirmed these crew messages (spool ids = `mid`). */
  crewConfirmed: [{ ids: number[] }];
  change: [];
  badMessage: [{ topic: string; error: string }];
}

export interface VehicleAgent {
  readonly id: string;
  readonly events: EventEmitter<AgentEvents>;
  readonly client: MqttClient;
  readonly spool: FileSpool;
  /** The crew panel's URL when `panel` was given. */
  readonly panelUrl: string | null;
  /** A crew button: queued in the spool (fsynced) and published when the broker is reachable. */
  crew(cmd: CrewCommand): { ok: true } | { ok: false; code: string };
  snapshot(): AgentSnapshot;
  stats(): AgentStats;
  /** Stops the source and timers, disconnects cleanly, closes the spool. Idempotent. */
  stop(): Promise<void>;
}

/** Typical GNSS user range error, metres: accuracy ≈ HDOP × this. */
const UERE_M = 5;

export function fixToPosition(fix: GpsFix, seq: number): PositionMsg {
  return {
    seq,
    ts: Math.round(fix.recordedAtMs),
    lat: round(fix.lat, 7),
    lon: round(fix.lng, 7),
    ...(fix.hdop !== null ? { acc: round(fix.hdop * UERE_M, 1) } : {}),
    ...(fix.speedMps !== null ? { spd: round(Math.min(fix.speedMps, 1000), 2) } : {}),
    ...(fix.headingDeg !== null ? { hdg: round(fix.headingDeg, 1) % 360 } : {}),
  };
}

/**
 * A vehicle agent for a real ambulance: fixes from a GpsSource go through the reporting policy into
 * the on-disk spool, and from there to MQTT (QoS 1, persistent session, last will → offline). A
 * position leaves the spool only when the server's `stored {seq}` confirms it (see Forwarder in
 * core/spool.ts), a crew status or ack when `stored {mids}` names it (core/crewOutbox.ts). Resolves
 * once the spool is loaded and the MQTT client created — it does not wait for the broker, which may
 * well be unreachable.
 */
export async function startVehicleAgent(o: VehicleAgentOptions): Promise<VehicleAgent> {
  assertVehicleId(o.id);
  const id = o.id;
  const log = o.log ?? silentLog;
  const now = o.now ?? Date.now;
  const policy = resolvePolicy(o.policy);
  const fw: ForwardingOptions = { ...DEFAULT_FORWARDING, ...o.forwarding };
  const prefix = o.prefix ?? DEFAULT_TOPIC_PREFIX;
  const topic = {
    position: vehicleTopic(prefix, id, 'position'),
    status: vehicleTopic(prefix, id, 'status'),
    ack: vehicleTopic(prefix, id, 'ack'),
    assignment: vehicleTopic(prefix, id, 'assignment'),
    cancel: vehicleTopic(prefix, id, 'cancel'),
    stored: vehicleTopic(prefix, id, 'stored'),
  };

  const spool = new FileSpool({ dir: o.spoolDir, limits: o.spool, syncIntervalMs: o.spool?.syncIntervalMs });
  if (spool.load.tornTail || spool.load.badLines) log('warn', `${id} spool: recovered (torn tail ${spool.load.tornTail}, bad lines ${spool.load.badLines})`);
  const state = spool.state;
  let memo: CrewMemo = { ...INITIAL_MEMO, ...(state.memo as Partial<CrewMemo> | null) };
  let nextSeq = state.firstFreeSeq(now());
  state.raiseMessageIds(now());
  // Seqs below nextSeq may have been published by an earlier run (see Forwarder.noteBoot).
  const forwarder = new Forwarder(nextSeq - 1);
  const outbox = new CrewOutbox();
  const events = new EventEmitter<AgentEvents>();
  const stats: AgentStats = {
    fixes: 0,
    positionsSpooled: 0,
    positionsPublished: 0,
    storedMsgs: 0,
    confirmed: 0,
    messagesPublished: 0,
    messagesConfirmed: 0,
    serverRestarts: 0,
    connects: 0,
    resendRounds: 0,
    badMessages: 0,
  };
  const recent: CrewMessageView[] = [];
  let lastReported: PolicyFix | null = null;
  let lastFix: GpsFix | null = null;
  let statusChanged = false;
  let lastProgressAt = now();
  let lastProbeAt = 0;
  let stopped = false;

  const commit = (records: SpoolRecord[], sync: boolean) => {
    spool.commit(records, sync);
    forwarder.prune(state);
  };
  const saveMemo = (next: CrewMemo, extra: SpoolRecord[] = []) => {
    memo = next;
    commit([...extra, { t: 'memo', memo }], true);
    events.emit('change');
  };
  const allocSeq = (): number => {
    const seq = nextSeq++;
    // Reserve seqs in blocks, fsynced before use: a seq never repeats, even after power loss.
    if (seq >= state.seqReservedBelow) commit([{ t: 'seq', below: seq + spool.limits.seqBlock }], true);
    return seq;
  };

  const willPayload = () => JSON.stringify({ status: 'offline', ts: now() } satisfies StatusMsg);
  const options: IClientOptions = {
    protocolVersion: 4, // MQTT 3.1.1: works with the embedded aedes and with Mosquitto/EMQX
    clientId: `lifeline-agent-${id}`,
    clean: false, // persistent session: assignments and `stored` sent while we are away wait at the broker
    resubscribe: false, // we subscribe ourselves on every connect
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    will: { topic: topic.status, payload: Buffer.from(willPayload()), qos: 1, retain: true },
    ...(o.mqtt.username !== undefined ? { username: o.mqtt.username, password: o.mqtt.password ?? '' } : {}),
    ...(o.mqtt.ca ? { ca: o.mqtt.ca } : {}),
    ...(o.mqtt.cert ? { cert: o.mqtt.cert } : {}),
    ...(o.mqtt.key ? { key: o.mqtt.key } : {}),
    ...(o.mqtt.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  };
  const client = mqtt.connect(o.mqtt.url, options);

  // A crew message stays spooled until the server confirms it (`stored {mids}`); see CrewOutbox.
  const publishMessage = (m: SpooledMessage) => {
    stats.messagesPublished++;
    const t = m.kind === 'status' ? topic.status : topic.ack;
    client.publish(t, JSON.stringify({ ...m.msg, mid: m.id }), { qos: 1, retain: m.kind === 'status' }, () => {});
  };
  /** Publishes what may go now: the next crew message (see CrewOutbox), then positions (see Forwarder). */
  const pump = () => {
    if (stopped || !client.connected) return;
    const m = outbox.next(state, now(), fw.resendAfterMs);
    if (m) publishMessage(m);
    const ps = forwarder.take(state, fw.maxInFlight);
    if (ps.length > 0 && !forwarder.isVerified) lastProbeAt = now();
    for (const p of ps) {
      stats.positionsPublished++;
      client.publish(topic.position, JSON.stringify(p), { qos: 1 }, () => {});
    }
  };
  const enqueueMessage = (m: Omit<SpooledMessage, 'id'>): SpoolRecord => ({ t: 'msg', m: { ...m, id: state.nextMessageId } as SpooledMessage });

  const onFix = (fix: GpsFix) => {
    stats.fixes++;
    lastFix = fix;
    const d = decideReport(lastReported, fix, { status: memo.status, statusChanged }, policy);
    if (!d.report) return;
    statusChanged = false;
    lastReported = fix;
    const p = fixToPosition(fix, allocSeq());
    const thin = thinning(state.positions, spool.limits);
    if (thin) state.thinned += thin.seqs.length;
    commit(thin ? [thin, { t: 'pos', p }] : [{ t: 'pos', p }], false);
    stats.positionsSpooled++;
    events.emit('position', p);
    pump();
  };

  const bad = (t: string, error: string) => {
    stats.badMessages++;
    log('warn', 'dropped a bad message', { id, topic: t, error });
    events.emit('badMessage', { topic: t, error });
  };
  client.on('message', (t, payload) => {
    if (stopped) return;
    if (t === topic.stored) {
      const r = parseStored.parseJson(payload);
      if (!r.ok) return bad(t, r.error);
      stats.storedMsgs++;
      const { seq, boot, mids } = r.value;
      if (forwarder.noteBoot(boot)) {
        // The server restarted: what it had acked to the broker but not committed is gone.
        stats.serverRestarts++;
        outbox.resend();
        lastProgressAt = now();
        log('warn', `${id} the server restarted; re-sending ${state.positions.length} unconfirmed positions and ${state.messages.length} crew messages`);
      }
      if (seq !== undefined) {
        const before = state.positions.length;
        commit(forwarder.confirm(state, seq, boot), false);
        const confirmed = before - state.positions.length;
        if (confirmed > 0) lastProgressAt = now();
        stats.confirmed += confirmed;
        events.emit('stored', { seq, confirmed });
      }
      if (mids?.length) {
        const done = state.messages.filter((m) => mids.includes(m.id));
        // Not fsynced: a confirmation lost to power loss only means a repeat the server ignores.
        commit(outbox.confirm(state, mids), false);
        if (done.length) {
          stats.messagesConfirmed += done.length;
          for (const m of done) recent.unshift({ ...view(m), state: 'confirmed' });
          recent.length = Math.min(recent.length, 10);
          events.emit('crewConfirmed', { ids: done.map((m) => m.id) });
          events.emit('change');
        }
      }
      pump(); // the window moved, the connection is now verified, or the next crew message may go
    } else if (t === topic.assignment) {
      const r = parseAssignment.parseJson(payload);
      if (!r.ok) return bad(t, r.error);
      const next = receiveAssignment(memo, r.value);
      if (next !== memo) {
        log('info', `${id} assignment ${r.value.assignmentId} for incident ${r.value.incidentId}`);
        statusChanged = true;
        saveMemo(next);
      }
    } else if (t === topic.cancel) {
      const r = parseCancel.parseJson(payload);
      if (!r.ok) return bad(t, r.error);
      const c = receiveCancel(memo, r.value.assignmentId, now());
      if (c.memo === memo) return;
      log('info', `${id} assignment ${r.value.assignmentId} withdrawn`);
      saveMemo(c.memo, c.publish ? [enqueueMessage({ kind: 'status', msg: c.publish })] : []);
      pump();
    }
  });
  client.on('connect', () => {
    stats.connects++;
    forwarder.connect();
    lastProgressAt = now();
    lastProbeAt = 0;
    client.subscribe([topic.assignment, topic.cancel, topic.stored], { qos: 1 }, (err) => {
      if (err && !stopped && client.connected) log('warn', 'subscribe failed', { id, error: err.message });
    });
    // The retained status at the broker may be our last will's `offline`: put the real one back,
    // with its original device time (the server ignores it unless it is newer than what it applied).
    const pendingStatus = state.messages.some((m) => m.kind === 'status');
    if (memo.lastStatus && !pendingStatus) client.publish(topic.status, JSON.stringify(memo.lastStatus), { qos: 1, retain: true }, () => {});
    else if (!memo.lastStatus && !pendingStatus) {
      // First start of this unit: announce it available.
      const msg: StatusMsg = { status: memo.status, ts: now() };
      saveMemo({ ...memo, lastStatus: msg }, [enqueueMessage({ kind: 'status', msg })]);
    }
    log('info', `${id} connected to ${o.mqtt.url}; spool holds ${state.positions.length} positions, ${state.messages.length} crew messages`);
    events.emit('connect');
    events.emit('change');
    pump();
  });
  client.on('reconnect', () => {
    if (client.options.will) client.options.will.payload = Buffer.from(willPayload());
  });
  // Our spool is the only resend path: drop the client's own in-flight copies at every disconnect
  // (they would go out first on the next connection, where a `stored` could wrongly cover them).
  client.on('close', () => {
    for (const mid of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(mid));
    outbox.resend();
  });
  let lastError: string | undefined;
  client.on('error', (err) => {
    if (!stopped && err.message !== lastError) log('warn', 'mqtt error', { id, error: err.message });
    lastError = err.message;
  });
  client.on('offline', () => {
    if (stopped) return;
    log('warn', `${id} broker unreachable; spooling`);
    events.emit('offline');
    events.emit('change');
  });

  const timer = setInterval(() => {
    if (stopped || !client.connected) return;
    const t = now();
    if (!forwarder.isVerified) {
      if (state.positions.length > 0 && t - lastProbeAt >= fw.probeEveryMs) forwarder.reprobe();
    } else if (forwarder.inFlight(state) > 0 && t - lastProgressAt >= fw.resendAfterMs) {
      stats.resendRounds++;
      log('warn', `${id} no confirmation for ${Math.round((t - lastProgressAt) / 1000)} s; publishing ${state.positions.length} unconfirmed positions again`);
      forwarder.startRound();
      lastProgressAt = t;
    }
    pump();
  }, Math.max(50, Math.min(500, fw.probeEveryMs / 2)));

  // The GPS loop: a failing source is restarted when we have a factory.
  let source: GpsSource | null = null;
  const runSource = async () => {
    for (;;) {
      if (stopped) return;
      source = typeof o.source === 'function' ? o.source() : o.source;
      try {
        for await (const fix of source) {
          if (stopped) return;
          onFix(fix);
        }
        log('info', `${id} GPS source ended`);
        return;
      } catch (err) {
        if (stopped) return;
        log('warn', `${id} GPS source failed: ${(err as Error).message}`);
        if (typeof o.source !== 'function') return;
        await new Promise((r) => setTimeout(r, o.sourceRetryMs ?? 2000));
      }
    }
  };
  const sourceDone = runSource();

  const view = (m: SpooledMessage): CrewMessageView => ({
    id: m.id,
    kind: m.kind,
    what: m.kind === 'status' ? m.msg.status : 'ack',
    ts: m.msg.ts,
    state: 'pending',
  });

  let stopping: Promise<void> | undefined;
  let panel: CrewPanel | null = null;
  const agent: VehicleAgent = {
    id,
    events,
    client,
    spool,
    get panelUrl() {
      return panel?.url ?? null;
    },
    crew: (cmd) => {
      const r = crewCommand(memo, cmd, now());
      if (!r.ok) return r;
      statusChanged = r.publish.kind === 'status';
      saveMemo(r.memo, [enqueueMessage(r.publish)]);
      log('info', `${id} crew: ${r.publish.kind === 'status' ? r.publish.msg.status : 'acknowledge'}`);
      pump();
      return { ok: true };
    },
    snapshot: () => ({
      id,
      connected: client.connected,
      serverConfirmed: client.connected && forwarder.isVerified,
      memo,
      hospitals: [...(o.hospitals ?? [])],
      lastFix,
      spool: { positions: state.positions.length, messages: state.messages.length, bytes: spool.bytes(), thinned: state.thinned },
      messages: [...state.messages.map(view), ...recent],
    }),
    stats: () => ({ ...stats }),
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        clearInterval(timer);
        await panel?.close();
        await source?.stop().catch(() => undefined);
        await sourceDone.catch(() => undefined);
        await new Promise<void>((resolve) => {
          const guard = setTimeout(() => {
            client.stream?.destroy();
            resolve();
          }, 3000);
          client.end(!client.connected, {}, () => {
            clearTimeout(guard);
            resolve();
          });
        });
        spool.close();
      })()),
  };
  if (o.panel) {
    try {
      panel = await startCrewPanel(agent, o.panel);
    } catch (err) {
      await agent.stop();
      throw err;
    }
  }
  return agent;
}
