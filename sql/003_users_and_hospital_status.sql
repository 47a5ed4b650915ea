-- Users, sessions and roles; hospital emergency-department status; destination hospital per incident.

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,40}$'),
  display_name  text NOT NULL,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('dispatcher','supervisor','hospital','crew','admin')),
  hospital_id   text REFERENCES hospitals(id),
  vehicle_id    text REFERENCES vehicles(id),
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- a hospital user belongs to exactly one hospital, a crew user to exactly one unit
  CHECK ((role = 'hospital') = (hospital_id IS NOT NULL)),
  CHECK ((role = 'crew') = (vehicle_id IS NOT NULL))
);

-- Only a hash of the session token is stored: a copy of this table does not let anyone log in.
CREATE TABLE sessions (
  token_hash  text PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

ALTER TABLE hospitals
  ADD COLUMN ed_capacity integer CHECK (ed_capacity >= 0),
  ADD COLUMN diversion boolean NOT NULL DEFAULT false,
  ADD COLUMN status_updated_at timestamptz;

ALTER TABLE incidents ADD COLUMN hospital_id text REFERENCES hospitals(id);
CREATE INDEX incidents_hospital_idx ON incidents (hospital_id) WHERE hospital_id IS NOT NULL;
CREATE INDEX incidents_created_idx ON incidents (created_at);

-- Per-unit MQTT credentials (hash only); a unit may publish only under its own topics.
ALTER TABLE vehicles ADD COLUMN mqtt_secret_hash text;
