import path from 'node:path';
import { DEFAULT_TOPIC_PREFIX, type LatLng } from '@lifeline/protocol';
import { autoAssignPolicyFromEnv, type AutoAssignPolicy } from './core/autoAssignPolicy.ts';
import { envIntReader } from './core/envInt.ts';

/** Everything the server can be told, from the environment. All optional. */
export interface Config {
  /** HTTP port; 0 picks a free one (tests). */
  port: number;
  host: string;
  /** External PostgreSQL; null → embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | null;
  /** External MQTT broker; null → embedded aedes broker on `mqttPort`. */
  mqttUrl: string | null;
  mqttPort: number;
  mqttHost: string;
  mqttPrefix: string;
  /**
   * Require per-unit credentials on the embedded broker (units publish only under their own topics,
   * each with its own client id). On by default; MQTT_AUTH=0 allows anonymous clients (logged loudly).
   */
  mqttAuth: boolean;
  /** The server's own credentials on an external broker. */
  mqttUsername: string | null;
  mqttPassword: string | null;
  /** Several instances: socket.io over Redis, the vehicles' write path split among the live instances. */
  redisUrl: string | null;
  routerUrl: string | null;
  /** Road graph file built by the import CLI; enables road ETAs. */
  osmGraph: string | null;
  routerTimeoutMs: number;
  /** Bounds on every database call (adapters/store/db.ts): waiting for a connection, and one statement, ms. */
  dbConnectTimeoutMs: number;
  dbStatementTimeoutMs: number;
  mapStyleUrl: string | null;
  /** Reverse proxies (addresses or CIDRs) whose X-Forwarded-For gives the client address. */
  trustProxy: string[];
  /** Where the map opens and the demo fleet starts; null → the road graph's middle, else Thủ Dầu Một. */
  mapCenter: LatLng | null;
  dataDir: string;
  logLevel: string;
  /** Simulated units started with the server (the demo); 0 = none. */
  simVehicles: number;
  /** A unit not heard from for this long (no last will either) is marked offline, seconds. */
  silentAfterSec: number;
  /** A unit dispatched but not en route after this long is highlighted on the board, seconds. */
  stuckDispatchedSec: number;
  /** Seconds to wait for a unit's ack before alerting the dispatcher. */
  ackTimeoutSec: number;
  /** Hospitals farther from the scene than this (straight line) are never destinations, km. */
  hospitalMaxDistanceKm: number;
  /** A destination whose ETA from the scene is longer than this is refused, seconds. */
  hospitalMaxEtaSec: number;
  /** Unique per server instance; names its persistent MQTT session. */
  instanceId: string;
  /** Seed demo hospitals when the hospitals table is empty. */
  seedDemo: boolean;
  /**
   * Create one demo user per role and print their passwords at start: by default only in the demo
   * (embedded PostgreSQL); DEMO_USERS=1 asks for them on a DATABASE_URL, DEMO_USERS=0 never.
   */
  demoUsers: boolean;
  /** Demo calls placed per hour near the map centre (DEMO_CALLS); 0 = none. */
  demoCallsPerHour: number;
  /** AUTO_ASSIGN_PRIORITIES / _MAX_ETA_SEC / _MAX_ATTEMPTS (core/autoAssignPolicy.ts); off by default. */
  autoAssign: AutoAssignPolicy;
  /** Bearer token for GET /metrics; null → only direct connections from this machine. */
  metricsToken: string | null;
  /** Delete vehicle_positions older than this many days (plain PostgreSQL); null → keep forever. */
  positionRetentionDays: number | null;
  /** A device time more than this ahead of the server clock is refused at ingest, seconds. */
  maxClockSkewSec: number;
  /** On SIGTERM/SIGINT, positions still queued are written for at most this long, seconds. */
  shutdownDrainSec: number;
  /** /healthz is `degraded` while more positions than this wait to be written. */
  healthQueueThreshold: number;
  /** /healthz is `degraded` for this long after a message was dead-lettered, seconds. */
  healthDeadLetterWindowSec: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and validates the environment; throws ConfigError naming the variable and what to do. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const errors: string[] = [];
  const int = envIntReader(env, errors);
  const url = (name: string, protocols: string[]): string | null => {
    const raw = env[name];
    if (raw === undefined || raw === '') return null;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) errors.push(`${name} must start with ${protocols.join(' or ')} (got ${u.protocol})`);
    } catch {
      errors.push(`${name} is not a valid URL`);
    }
    return raw;
  };
  const latLng = (name: string): LatLng | null => {
    const raw = env[name];
    if (raw === undefined || raw === '') return null;
    const parts = raw.split(',').map((p) => (p.trim() === '' ? NaN : Number(p)));
    const [lat, lng] = parts;
    if (parts.length === 2 && Math.abs(lat!) <= 90 && Math.abs(lng!) <= 180) return { lat: lat!, lng: lng! };
    errors.push(`${name}=${raw} is not LAT,LNG in degrees (e.g. ${name}=43.7384,7.4246)`);
    return null;
  };
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) errors.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const prefix = env.MQTT_PREFIX || DEFAULT_TOPIC_PREFIX;
  if (/[#+]/.test(prefix) || prefix.endsWith('/')) errors.push('MQTT_PREFIX must not contain # or + nor end with /');

  const cfg: Config = {
    port: int('PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    mqttUrl: url('MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']),
    mqttPort: int('MQTT_PORT', 1883, 0, 65535),
    mqttHost: env.MQTT_HOST || '0.0.0.0',
    mqttPrefix: prefix,
    mqttAuth: (env.MQTT_AUTH || '1') !== '0',
    mqttUsername: env.MQTT_USERNAME || null,
    mqttPassword: env.MQTT_PASSWORD || null,
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    routerUrl: url('ROUTER_URL', ['http:', 'https:']),
    osmGraph: env.OSM_GRAPH ? path.resolve(cwd, env.OSM_GRAPH) : null,
    routerTimeoutMs: int('ROUTER_TIMEOUT_MS', 1500, 50, 60_000),
    dbConnectTimeoutMs: int('DB_CONNECT_TIMEOUT_MS', 10_000, 100, 60_000),
    dbStatementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', 10_000, 100, 600_000),
    mapStyleUrl: url('MAP_STYLE_URL', ['http:', 'https:']),
    trustProxy: (env.TRUST_PROXY ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    mapCenter: latLng('MAP_CENTER'),
    dataDir: path.resolve(cwd, env.DATA_DIR || '.lifeline'),
    logLevel,
    simVehicles: int('SIM_VEHICLES', 0, 0, 100_000),
    ackTimeoutSec: int('ACK_TIMEOUT_SEC', 60, 1, 3600),
    hospitalMaxDistanceKm: int('HOSPITAL_MAX_DISTANCE_KM', 100, 1, 20_000),
    hospitalMaxEtaSec: int('HOSPITAL_MAX_ETA_SEC', 10_800, 60, 86_400),
    silentAfterSec: int('SILENT_AFTER_SEC', 90, 5, 86_400),
    stuckDispatchedSec: int('STUCK_DISPATCHED_SEC', 120, 10, 3600),
    instanceId: env.INSTANCE_ID || 'main',
    seedDemo: (env.SEED_DEMO ?? '1') !== '0',
    demoUsers: env.DEMO_USERS ? env.DEMO_USERS === '1' : (env.SEED_DEMO ?? '1') !== '0' && !env.DATABASE_URL,
    demoCallsPerHour: int('DEMO_CALLS', 0, 0, 3600),
    autoAssign: autoAssignPolicyFromEnv(env, errors),
    metricsToken: env.METRICS_TOKEN || null,
    positionRetentionDays: null,
    maxClockSkewSec: int('MAX_CLOCK_SKEW_SEC', 3600, 1, 7 * 86_400),
    shutdownDrainSec: int('SHUTDOWN_DRAIN_SEC', 10, 1, 600),
    healthQueueThreshold: int('HEALTH_QUEUE_THRESHOLD', 50_000, 1, 10_000_000),
    healthDeadLetterWindowSec: int('HEALTH_DEAD_LETTER_WINDOW_SEC', 900, 1, 7 * 86_400),
  };
  if (cfg.metricsToken !== null && !/^[\x21-\x7e]{16,}$/.test(cfg.metricsToken)) errors.push('METRICS_TOKEN must be at least 16 printable characters without spaces (e.g. METRICS_TOKEN=$(openssl rand -hex 24))');
  const retention = env.POSITION_RETENTION_DAYS;
  if (retention !== undefined && retention !== '') {
    const days = Number(retention);
    if (/^\d+$/.test(retention.trim()) && days >= 1 && days <= 36_500) cfg.positionRetentionDays = days;
    else errors.push(`POSITION_RETENTION_DAYS=${retention} is not a whole number of days between 1 and 36500 (unset it to keep positions forever)`);
  }
  if (env.MQTT_AUTH && !['0', '1'].includes(env.MQTT_AUTH)) errors.push('MQTT_AUTH must be 0 or 1 (default 1: units need their own credentials)');
  if (env.DEMO_USERS && !['0', '1'].includes(env.DEMO_USERS)) errors.push('DEMO_USERS must be 0 or 1');
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cfg.instanceId)) errors.push('INSTANCE_ID must be 1-40 letters, digits, _ or -');
  // Two instances under one name would take each other's MQTT session in turn.
  if (cfg.redisUrl && !env.INSTANCE_ID) errors.push('REDIS_URL runs several instances: set INSTANCE_ID to a name unique to each (e.g. INSTANCE_ID=a on one, INSTANCE_ID=b on the other)');
  for (const p of cfg.trustProxy) {
    if (!/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(p)) errors.push(`TRUST_PROXY: "${p}" is not an IP address or CIDR (e.g. 127.0.0.1,10.0.0.0/8)`);
  }
  if (errors.length > 0) throw new ConfigError('Invalid configuration:\n  - ' + errors.join('\n  - '));
  return cfg;
}
