-- Nothing acknowledged is lost, and nothing refused is lost silently: a message refused at the
-- ingest boundary (device time outside the window) or a row the database refused (a data error,
-- SQLSTATE class 22/23) is kept here with its reason, instead of stopping the write path.
-- It is the durable record that lets the server acknowledge such a message (the sender stops
-- re-sending it) — see adapters/store/positionWriter.ts.
CREATE TABLE dead_letters (
  id          bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- mqtt_position | mqtt_status | mqtt_ack | owntracks | osmand
  source      text NOT NULL,
  -- No foreign key: a refused message may name a unit that does not exist.
  vehicle_id  text,
  -- The message as received (positions refused by the database: the row as JSON), at most 8 kB.
  payload     text NOT NULL,
  reason      text NOT NULL,
  -- PostgreSQL's error code when the database refused it; null when refused at the boundary.
  sqlstate    text
);
CREATE INDEX dead_letters_received_at_idx ON dead_letters (received_at);

-- Why a phone's last messages were refused (e.g. encrypted without a key), shown in the admin
-- trackers panel. The OwnTracks payload-encryption secret, when the phone encrypts (kept in clear:
-- the server needs it to decrypt; it is never returned by the API).
ALTER TABLE trackers
  ADD COLUMN last_error text,
  ADD COLUMN last_error_at timestamptz,
  ADD COLUMN encryption_key text;
