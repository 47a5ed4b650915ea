-- Line 1022: field reports, procedure questions and suggestions, routed to the agencies (đầu mối)
-- that handle them. Categories, agencies, their areas and deadlines are data, seeded for the demo
-- and replaced through the admin import.

CREATE TABLE agencies (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9_-]{1,64}$'),
  name        text NOT NULL,
  -- GeoJSON Polygon or MultiPolygon ([lng, lat]); null: the whole province
  area        jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE report_categories (
  id                text PRIMARY KEY CHECK (id ~ '^[a-z0-9_-]{1,64}$'),
  name_vi           text NOT NULL,
  name_en           text NOT NULL,
  -- where a report goes when no agency's area covers it
  default_agency_id text REFERENCES agencies(id) ON DELETE SET NULL,
  deadline_hours    integer NOT NULL CHECK (deadline_hours BETWEEN 1 AND 2160),
  sort              integer NOT NULL DEFAULT 0
);

-- Which categories an agency handles, with its own deadline (null: the category's).
CREATE TABLE agency_categories (
  agency_id      text NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
  category_id    text NOT NULL REFERENCES report_categories(id) ON DELETE CASCADE,
  deadline_hours integer CHECK (deadline_hours BETWEEN 1 AND 2160),
  PRIMARY KEY (agency_id, category_id)
);

ALTER TABLE users ADD COLUMN agency_id text REFERENCES agencies(id);
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('dispatcher','supervisor','hospital','crew','admin','agency'));
ALTER TABLE users ADD CONSTRAINT users_agency_check CHECK ((role = 'agency') = (agency_id IS NOT NULL));

CREATE TABLE reports (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number             bigserial UNIQUE,
  type               text NOT NULL CHECK (type IN ('field_report','procedure_question','suggestion')),
  channel            text NOT NULL DEFAULT 'phone',
  category_id        text REFERENCES report_categories(id),
  description        text NOT NULL,
  lat                double precision CHECK (lat BETWEEN -90 AND 90),
  lng                double precision CHECK (lng BETWEEN -180 AND 180),
  address            text,
  caller_phone       text NOT NULL,
  caller_name        text,
  caller_flagged     boolean NOT NULL DEFAULT false,
  -- sha256 of the citizen's tracking code; the code itself is never stored
  tracking_hash      text UNIQUE,
  state              text NOT NULL CHECK (state IN ('received','forwarded','accepted','returned','closed')),
  agency_id          text REFERENCES agencies(id),
  unrouted           boolean NOT NULL DEFAULT false,
  forwarded_at       timestamptz,
  due_at             timestamptz,
  -- ever forwarded to an agency (the "share forwarded" KPI)
  was_forwarded      boolean NOT NULL DEFAULT false,
  answer             text,
  first_answered_at  timestamptz,
  -- the deadline in force when the first answer was given
  answered_due_at    timestamptz,
  answered_at        timestamptz,
  closed_at          timestamptz,
  rating             text CHECK (rating IN ('satisfied','unsatisfied')),
  version            integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((lat IS NULL) = (lng IS NULL))
);
CREATE INDEX reports_agency_idx ON reports (agency_id, created_at) WHERE agency_id IS NOT NULL;
CREATE INDEX reports_open_idx ON reports (created_at) WHERE state <> 'closed';
CREATE INDEX reports_created_idx ON reports (created_at);
CREATE INDEX reports_caller_idx ON reports (caller_phone, created_at DESC);

-- Append-only, like incident_events.
CREATE TABLE report_events (
  id         bigserial PRIMARY KEY,
  report_id  uuid NOT NULL REFERENCES reports(id),
  ts         timestamptz NOT NULL DEFAULT clock_timestamp(),
  type       text NOT NULL,
  actor      text NOT NULL,
  data       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX report_events_report_idx ON report_events (report_id, id);
CREATE TRIGGER report_events_no_update BEFORE UPDATE OR DELETE ON report_events
  FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();

-- Photos: the row is written only after the file is complete on disk under its final name.
CREATE TABLE report_media (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id     uuid NOT NULL REFERENCES reports(id),
  kind          text NOT NULL CHECK (kind IN ('citizen','agency')),
  -- the agency that attached it (kind = 'agency')
  agency_id     text REFERENCES agencies(id),
  content_type  text NOT NULL,
  bytes         integer NOT NULL,
  file_name     text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_media_report_idx ON report_media (report_id);
