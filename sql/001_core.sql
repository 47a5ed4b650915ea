-- Lifeline core schema. Frozen once landed: change the schema with a new numbered file.

CREATE TABLE stations (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  lat         double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lng         double precision NOT NULL CHECK (lng BETWEEN -180 AND 180)
);

CREATE TABLE hospitals (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  lat         double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lng         double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
  capabilities text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vehicles (
  id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  call_sign      text NOT NULL,
  station_id     text REFERENCES stations(id),
  status         text NOT NULL DEFAULT 'available' CHECK (status IN
                   ('available','dispatched','en_route','on_scene','transporting','at_hospital','out_of_service','offline')),
  online         boolean NOT NULL DEFAULT false,
  incident_id    uuid,
  -- device time of the last status message applied; older ones (e.g. a stale retained one) are ignored
  status_device_ts timestamptz,
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE incidents (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number        bigserial UNIQUE,
  line          text NOT NULL CHECK (line IN ('115','1022')),
  channel       text NOT NULL DEFAULT 'phone',
  caller_phone  text NOT NULL,
  caller_name   text,
  lat           double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lng           double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
  address       text,
  category      text NOT NULL,
  priority      smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
  notes         text,
  state         text NOT NULL DEFAULT 'received' CHECK (state IN
                  ('received','triaged','assigned','acknowledged','en_route','on_scene','transporting','at_hospital','closed','cancelled')),
  vehicle_id    text REFERENCES vehicles(id),
  assignment_id uuid,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_open_idx ON incidents (priority, created_at) WHERE state NOT IN ('closed','cancelled');
CREATE INDEX incidents_caller_idx ON incidents (caller_phone, created_at DESC);

ALTER TABLE vehicles ADD CONSTRAINT vehicles_incident_fk FOREIGN KEY (incident_id) REFERENCES incidents(id);

CREATE TABLE assignments (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  incident_id   uuid NOT NULL REFERENCES incidents(id),
  vehicle_id    text NOT NULL REFERENCES vehicles(id),
  assigned_by   text NOT NULL,
  reason        text,
  assigned_at   timestamptz NOT NULL DEFAULT now(),
  acked_at      timestamptz,
  ended_at      timestamptz
);
CREATE INDEX assignments_incident_idx ON assignments (incident_id);
-- A unit can hold at most one live assignment: the database, not the process, is the arbiter.
CREATE UNIQUE INDEX assignments_one_live_per_vehicle ON assignments (vehicle_id) WHERE ended_at IS NULL;

-- Append-only timeline: every state change, with actor and time.
CREATE TABLE incident_events (
  id           bigserial PRIMARY KEY,
  incident_id  uuid NOT NULL REFERENCES incidents(id),
  ts           timestamptz NOT NULL DEFAULT clock_timestamp(),
  type         text NOT NULL,
  actor        text NOT NULL,
  data         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, id);

CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'incident_events is append-only';
END $$;
CREATE TRIGGER incident_events_no_update BEFORE UPDATE OR DELETE ON incident_events
  FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();

-- Positions: (vehicle, seq) de-duplicates at-least-once delivery.
CREATE TABLE vehicle_positions (
  vehicle_id   text NOT NULL,
  seq          bigint NOT NULL,
  recorded_at  timestamptz NOT NULL,
  received_at  timestamptz NOT NULL,
  lat          double precision NOT NULL,
  lng          double precision NOT NULL,
  speed_mps    real,
  heading_deg  real,
  accuracy_m   real,
  PRIMARY KEY (vehicle_id, seq)
);
CREATE INDEX vehicle_positions_vehicle_time_idx ON vehicle_positions (vehicle_id, recorded_at);
CREATE INDEX vehicle_positions_time_brin ON vehicle_positions USING brin (recorded_at);
