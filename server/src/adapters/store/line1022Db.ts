import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | null | undefined, string | null>;

/** Line 1022 tables (sql/012_line1022.sql). */
export interface AgenciesTable {
  id: string;
  name: string;
  area: Json<Record<string, unknown> | null>;
  created_at: Timestamp;
}

export interface ReportCategoriesTable {
  id: string;
  name_vi: string;
  name_en: string;
  default_agency_id: string | null;
  deadline_hours: number;
  sort: ColumnType<number, number | undefined, number>;
}

export interface AgencyCategoriesTable {
  agency_id: string;
  category_id: string;
  deadline_hours: number | null;
}

export interface ReportsTable {
  id: Generated<string>;
  number: Generated<number>;
  type: string;
  channel: ColumnType<string, string | undefined, string>;
  category_id: string | null;
  description: string;
  lat: number | null;
  lng: number | null;
  address: string | null;
  caller_phone: string;
  caller_name: string | null;
  caller_flagged: ColumnType<boolean, boolean | undefined, boolean>;
  tracking_hash: string | null;
  state: string;
  agency_id: string | null;
  unrouted: ColumnType<boolean, boolean | undefined, boolean>;
  forwarded_at: Date | null;
  due_at: Date | null;
  was_forwarded: ColumnType<boolean, boolean | undefined, boolean>;
  answer: string | null;
  first_answered_at: Date | null;
  answered_due_at: Date | null;
  answered_at: Date | null;
  closed_at: Date | null;
  rating: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReportEventsTable {
  id: Generated<number>;
  report_id: string;
  ts: Timestamp;
  type: string;
  actor: string;
  data: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface ReportMediaTable {
  id: string;
  report_id: string;
  kind: string;
  agency_id: string | null;
  content_type: string;
  bytes: number;
  file_name: string;
  created_at: Timestamp;
}

export interface Line1022Tables {
  agencies: AgenciesTable;
  report_categories: ReportCategoriesTable;
  agency_categories: AgencyCategoriesTable;
  reports: ReportsTable;
  report_events: ReportEventsTable;
  report_media: ReportMediaTable;
}
