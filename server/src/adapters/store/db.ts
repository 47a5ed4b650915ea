import { Kysely, PostgresDialect, type ColumnType, type Generated } from 'kysely';
import pg from 'pg';
import type { IdempotencyKeysTable } from './idempotency.ts';
import type { Line1022Tables } from './line1022Db.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface VehiclesTable {
  id: string;
  call_sign: string;
  station_id: string | null;
  status: ColumnType<string, string | undefined, string>;
  online: ColumnType<boolean, boolean | undefined, boolean>;
  incident_id: string | null;
  status_device_ts: Date | null;
  status_changed_at: Timestamp;
  created_at: Timestamp;
  mqtt_secret_hash: string | null;
}

export interface IncidentsTable {
  id: Generated<string>;
  number: Generated<number>;
  line: string;
  channel: ColumnType<string, string | undefined, string>;
  caller_phone: string;
  caller_name: string | null;
  lat: number;
  lng: number;
  address: string | null;
  category: string;
  priority: number;
  notes: string | null;
  state: ColumnType<string, string | undefined, string>;
  vehicle_id: string | null;
  assignment_id: string | null;
  hospital_id: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AssignmentsTable {
  id: Generated<string>;
  incident_id: string;
  vehicle_id: string;
  assigned_by: string;
  reason: string | null;
  assigned_at: Timestamp;
  acked_at: Date | null;
  ended_at: Date | null;
}

export interface IncidentEventsTable {
  id: Generated<number>;
  incident_id: string;
  ts: Timestamp;
  type: string;
  actor: string;
  data: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface HospitalsTable {
  id: string;
  name: string;
  lat: number;
  lng: number;
  capabilities: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  ed_capacity: number | null;
  diversion: ColumnType<boolean, boolean | undefined, boolean>;
  status_updated_at: Date | null;
}

export interface UsersTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  hospital_id: string | null;
  vehicle_id: string | null;
  agency_id: ColumnType<string | null, string | null | undefined, string | null>;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Date;
}

export interface StationsTable {
  id: string;
  name: string;
  lat: number;
  lng: number;
}

export interface VehiclePositionsTable {
  vehicle_id: string;
  seq: number;
  recorded_at: Date;
  received_at: Date;
  lat: number;
  lng: number;
  speed_mps: number | null;
  heading_deg: number | null;
  accuracy_m: number | null;
}

export interface CallersTable {
  phone: string;
  flagged: boolean;
  flag_reason: string | null;
  flagged_by: string | null;
  updated_at: Timestamp;
}

export interface TrackersTable {
  kind: string;
  device_key: string;
  vehicle_id: string;
  created_at: Timestamp;
  last_error: string | null;
  last_error_at: Date | null;
  encryption_key: string | null;
}

export interface DeadLettersTable {
  id: Generated<string>;
  received_at: Timestamp;
  source: string;
  vehicle_id: string | null;
  payload: string;
  reason: string;
  sqlstate: string | null;
}

export interface CallerAccessLogTable {
  id: Generated<string>;
  user_id: string;
  phone: string;
  action: 'history' | 'flag';
  accessed_at: ColumnType<Date, Date | undefined, never>;
}

export interface Database extends Line1022Tables {
  caller_access_log: CallerAccessLogTable;
  idempotency_keys: IdempotencyKeysTable;
  trackers: TrackersTable;
  dead_letters: DeadLettersTable;
  callers: CallersTable;
  vehicles: VehiclesTable;
  incidents: IncidentsTable;
  assignments: AssignmentsTable;
  incident_events: IncidentEventsTable;
  hospitals: HospitalsTable;
  stations: StationsTable;
  vehicle_positions: VehiclePositionsTable;
  users: UsersTable;
  sessions: SessionsTable;
}

export type Db = Kysely<Database>;

/**
 * pg returns int8 and numeric as strings. Our int8 columns (running numbers, seq, bigserial ids)
 * stay below 2^53, so parse them to numbers on purpose.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/** How long any database call may take before it fails (and the request answers 503), ms. */
export interface DbTimeouts {
  /** Waiting for a pooled connection, or for a new one to be ready. */
  connectMs: number;
  /** One statement, enforced by PostgreSQL; the client gives up `CLIENT_GRACE_MS` later (a frozen server never answers). */
  statementMs: number;
}

// The connect bound also covers waiting for a free pooled connection: a burst (hundreds of units' first
// messages at once on a busy machine) queues for seconds, and must not fail for that.
export const DEFAULT_DB_TIMEOUTS: DbTimeouts = { connectMs: 10_000, statementMs: 10_000 };
const CLIENT_GRACE_MS = 1000;
/** A transaction left open this long holds its locks for nothing: PostgreSQL ends the session. */
const IDLE_IN_TRANSACTION_MS = 60_000;

/**
 * The pool every request, the position writer and the background jobs use. Every call is bounded
 * (`timeouts`): a stopped, frozen or overloaded PostgreSQL makes calls fail with an error that
 * `isDatabaseUnavailable` recognises, instead of hanging them. `null`: no bounds (migrations,
 * which may rewrite a large table on purpose).
 */
export function createPool(connectionString: string, max = 10, timeouts: DbTimeouts | null = DEFAULT_DB_TIMEOUTS): pg.Pool {
  return new pg.Pool({
    connectionString,
    max,
    types,
    application_name: 'lifeline',
    keepAlive: true,
    ...(timeouts
      ? {
          connectionTimeoutMillis: timeouts.connectMs,
          statement_timeout: timeouts.statementMs,
          query_timeout: timeouts.statementMs + CLIENT_GRACE_MS,
          idle_in_transaction_session_timeout: Math.max(IDLE_IN_TRANSACTION_MS, timeouts.statementMs * 2),
        }
      : {}),
  });
}

export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
