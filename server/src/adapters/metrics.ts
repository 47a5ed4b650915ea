import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { UNIT_STATUSES } from '@lifeline/protocol';
import type { Counters } from '../counters.ts';
import { OPEN_STATES } from '../core/incidentMachine.ts';
import type { FleetIndex } from '../core/fleetIndex.ts';
import { HEALTH_REASONS } from '../core/health.ts';

/** What the gauges read at scrape time; each source is asked only then. */
export interface MetricSources {
  fleet: Pick<FleetIndex, 'all'>;
  writer: { readonly queued: number; readonly stats: { written: number; duplicates: number; failedBatches: number; retries: number; deadLettered: number; lastLagMs: number } };
  /** The /healthz verdict (core/health.ts): one gauge per reason, 1 while it holds. */
  health(): Promise<{ reasons: readonly string[] }>;
  pool: { readonly totalCount: number; readonly idleCount: number; readonly waitingCount: number };
  mqttConnected(): boolean;
  /** socket.io clients connected to this instance. */
  socketClients(): number;
  /** Open incidents per state, from the database (shared by every instance). */
  openIncidentsByState(): Promise<Record<string, number>>;
  log: { warn(obj: object, msg: string): void };
}

/**
 * `Counters` names whose last part is a dimension: one Prometheus counter with a `reason` label.
 * Every other counter `x` becomes `lifeline_x_total`.
 */
const LABELLED: readonly { prefix: string; name: string; help: string; known: readonly string[] }[] = [
  { prefix: 'mqtt_rejected_', name: 'lifeline_mqtt_rejected_total', help: 'MQTT messages dropped as invalid, by reason', known: ['topic', 'too_large', 'invalid_position', 'invalid_status', 'invalid_ack', 'invalid_owntracks', 'owntracks_unmapped', 'device_time', 'owntracks_encrypted_no_key', 'owntracks_decrypt_failed'] },
  { prefix: 'dead_letters_', name: 'lifeline_dead_letters_total', help: 'Messages kept in dead_letters instead of being stored (refused at the boundary or by the database), by source', known: ['mqtt_position', 'mqtt_status', 'mqtt_ack', 'owntracks', 'osmand'] },
  { prefix: 'positions_suspect_', name: 'lifeline_positions_suspect_total', help: 'Positions stored but not moved on the live map (implausible fix), by reason', known: [] },
  { prefix: 'assign_rejected_', name: 'lifeline_assign_rejected_total', help: 'Assignments refused, by reason', known: ['not_found', 'unit_unavailable', 'invalid_transition'] },
  { prefix: 'auto_assign_skipped_', name: 'lifeline_auto_assign_skipped_total', help: 'Calls the auto-assign policy left to the dispatcher, by reason', known: [] },
];

/** The counters the server increments today (HELP text); a new one is exported too, with a generic HELP. */
const KNOWN: Record<string, string> = {
  positions_received: 'Valid positions received over MQTT (accepted for ingest)',
  positions_not_newer: 'Positions older (device time) than the unit’s live one: stored, not shown',
  statuses_received: 'Unit status messages handled by this instance',
  statuses_for_other_instance: 'Unit status messages left to the unit’s owner instance',
  acks_received: 'Assignment acks handled by this instance',
  acks_for_other_instance: 'Assignment acks left to the unit’s owner instance',
  acks_ignored: 'Acks that matched no live assignment',
  ack_timeouts: 'Assignments not acknowledged within ACK_TIMEOUT_SEC',
  owntracks_received: 'OwnTracks locations received',
  owntracks_ignored_type: 'OwnTracks messages that are not locations',
  osmand_received: 'OsmAnd positions received over HTTP',
  osmand_rejected: 'OsmAnd requests rejected',
  mqtt_denied: 'MQTT connections or topics refused by the embedded broker',
  mqtt_oversize_packets: 'MQTT connections dropped by the embedded broker for a packet over 16 KB',
  mqtt_reconnects: 'Reconnections of the server’s MQTT session (each starts a new confirmation stint)',
  mqtt_session_taken_over: 'Server MQTT connections closed by the broker right after connecting (another client with this client id)',
  ingest_errors: 'MQTT messages whose handling threw (a bug)',
  unit_message_errors: 'Unit status or ack handling failures',
  unit_status_stale: 'Unit statuses ignored as older than the last applied',
  units_registered: 'Units created on their first message',
  units_marked_silent: 'Units marked offline after SILENT_AFTER_SEC without a message',
  login_failures: 'Failed logins (wrong username or password)',
  logins_throttled: 'Logins refused by the throttle (too many failures)',
  auto_assigned: 'Calls assigned by the auto-assign policy',
  auto_reassigned: 'Auto-assigned calls moved to the next unit after an ack timeout',
  auto_assign_stopped: 'Auto-assigned calls handed back to the dispatcher',
  auto_assign_errors: 'Auto-assign failures',
  positions_retention_deleted: 'Positions deleted by POSITION_RETENTION_DAYS (plain PostgreSQL)',
  owntracks_decrypted: 'OwnTracks encrypted payloads decrypted with the tracker’s key',
  owntracks_last_will: 'OwnTracks last wills (the unit is marked offline at once)',
  osmand_rejected_device_time: 'OsmAnd positions refused for a device time outside the window (dead-lettered)',
};

/** Device time → commit: spooled back-fill after an outage lands in the upper buckets. */
const COMMIT_LAG_BUCKETS_SEC = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 21_600];
/** POST /api/incidents: commit + recommendation (+ auto-assign). */
const CREATE_BUCKETS_SEC = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * This instance's Prometheus metrics (one registry per server, labelled `instance_id`): the
 * `Counters` as `lifeline_*_total`, gauges read at scrape time, two latency histograms and the
 * Node process metrics.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter<string>>();
  private readonly commitLag: Histogram;
  private readonly incidentCreate: Histogram;

  constructor(counters: Counters, src: MetricSources, instanceId: string) {
    this.registry.setDefaultLabels({ instance_id: instanceId });
    collectDefaultMetrics({ register: this.registry });
    for (const l of LABELLED) {
      const c = new Counter({ name: l.name, help: l.help, labelNames: ['reason'], registers: [this.registry] });
      for (const reason of l.known) c.inc({ reason }, 0);
    }
    for (const name of Object.keys(KNOWN)) this.counterFor(name);
    for (const [name, value] of Object.entries(counters.snapshot())) this.inc(name, value);
    counters.onInc = (name, by) => this.inc(name, by);

    const reg = [this.registry];
    const writerTotal = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers: reg,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    writerTotal('lifeline_positions_stored_total', 'Positions committed to vehicle_positions by this instance', () => src.writer.stats.written);
    writerTotal('lifeline_positions_duplicate_total', 'Positions dropped at commit as already stored (vehicle, seq)', () => src.writer.stats.duplicates);
    writerTotal('lifeline_position_batches_failed_total', 'Position write statements that failed (retried, or bisected on a data error)', () => src.writer.stats.failedBatches);
    writerTotal('lifeline_position_write_retries_total', 'Position write retries after a transient database failure', () => src.writer.stats.retries);
    new Gauge({
      name: 'lifeline_health_degraded',
      help: '1 while /healthz reports this reason for degraded (server/src/core/health.ts)',
      labelNames: ['reason'],
      registers: reg,
      async collect() {
        const now = new Set((await src.health()).reasons);
        for (const reason of HEALTH_REASONS) this.set({ reason }, now.has(reason) ? 1 : 0);
      },
    });

    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: reg,
        collect() {
          this.set(read());
        },
      });
    gauge('lifeline_position_writer_queue_rows', 'Positions received and waiting for the database', () => src.writer.queued);
    gauge('lifeline_position_writer_last_commit_lag_seconds', 'Receipt → commit of the first row of the last committed batch', () => src.writer.stats.lastLagMs / 1000);
    gauge('lifeline_socketio_clients', 'socket.io clients connected to this instance', () => src.socketClients());
    gauge('lifeline_mqtt_connected', '1 while the server is connected to the MQTT broker', () => (src.mqttConnected() ? 1 : 0));
    gauge('lifeline_db_pool_connections', 'PostgreSQL pool: open connections', () => src.pool.totalCount);
    gauge('lifeline_db_pool_idle_connections', 'PostgreSQL pool: idle connections', () => src.pool.idleCount);
    gauge('lifeline_db_pool_waiting_requests', 'PostgreSQL pool: queries waiting for a connection', () => src.pool.waitingCount);

    const units = () => [...src.fleet.all()];
    gauge('lifeline_units_known', 'Units in the live fleet index', () => units().length);
    gauge('lifeline_units_online', 'Units online', () => units().filter((u) => u.online).length);
    new Gauge({
      name: 'lifeline_units',
      help: 'Units by status',
      labelNames: ['status'],
      registers: reg,
      collect() {
        const n = Object.fromEntries(UNIT_STATUSES.map((s) => [s, 0])) as Record<string, number>;
        for (const u of src.fleet.all()) n[u.status] = (n[u.status] ?? 0) + 1;
        for (const [status, v] of Object.entries(n)) this.set({ status }, v);
      },
    });
    new Gauge({
      name: 'lifeline_incidents_open',
      help: 'Open incidents by state (the shared database: the same on every instance)',
      labelNames: ['state'],
      registers: reg,
      async collect() {
        this.reset();
        try {
          const rows = await src.openIncidentsByState();
          for (const state of OPEN_STATES) this.set({ state }, rows[state] ?? 0);
        } catch (err) {
          // No series rather than a failed scrape: the other metrics say what is wrong.
          src.log.warn({ err }, 'metrics: cannot count open incidents');
        }
      },
    });

    this.commitLag = new Histogram({
      name: 'lifeline_position_commit_lag_seconds',
      help: 'Device time (recorded_at) → database commit of each stored position',
      buckets: COMMIT_LAG_BUCKETS_SEC,
      registers: reg,
    });
    this.incidentCreate = new Histogram({
      name: 'lifeline_incident_create_duration_seconds',
      help: 'POST /api/incidents handler time (commit, recommendations, auto-assign) of successful calls',
      buckets: CREATE_BUCKETS_SEC,
      registers: reg,
    });
  }

  /** A committed batch of positions (PositionWriter.onBatchCommitted). */
  positionsCommitted(rows: readonly { recordedAtMs: number }[], committedAtMs: number): void {
    // A device clock a little ahead gives a negative lag: count it as no lag.
    for (const r of rows) this.commitLag.observe(Math.max(0, committedAtMs - r.recordedAtMs) / 1000);
  }

  incidentCreated(seconds: number): void {
    this.incidentCreate.observe(seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private inc(name: string, by: number): void {
    const l = LABELLED.find((x) => name.startsWith(x.prefix));
    if (l) return this.counterFor(l.prefix).inc({ reason: name.slice(l.prefix.length) }, by);
    this.counterFor(name).inc(by);
  }

  /** The Prometheus counter for a `Counters` name, or for a LABELLED prefix; created on first use. */
  private counterFor(key: string): Counter<string> {
    let c = this.counters.get(key);
    if (c) return c;
    const l = LABELLED.find((x) => x.prefix === key);
    c = l
      ? (this.registry.getSingleMetric(l.name) as Counter<string>)
      : new Counter({ name: `lifeline_${key.replace(/[^a-zA-Z0-9_]/g, '_')}_total`, help: KNOWN[key] ?? `Server counter ${key} (also on /healthz)`, registers: [this.registry] });
    this.counters.set(key, c);
    return c;
  }
}
