import { Kysely, PostgresDialect, type ColumnType, type Generated } from 'kysely';
import pg from 'pg';
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
}

export interface Database extends Line1022Tables {
  trackers: TrackersTable;
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

export function createPool(connectionString: string, max = 10): pg.Pool {
  return new pg.Pool({ connectionString, max, types, application_name: 'lifeline' });
}

export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
